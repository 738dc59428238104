// `phas predictor` (the HTTP service) and `phas predict` (one prediction).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/http_transport.h"
#include "cmd/commands.h"
#include "common/json_util.h"
#include "common/metrics.h"
#include "common/paths.h"
#include "common/systemd_notify.h"
#include "http/http_server.h"
#include "model/bundle.h"
#include "predictor/codec.h"
#include "predictor/service.h"

namespace phas {
namespace {

struct PredictorFlags {
  std::string model;
  HttpServerOptions http;
  PredictorOptions predictor;
};

// Under a systemd watchdog (WatchdogSec=), a thread that asks the server's
// own GET /health every half timeout and pings the watchdog only when it
// answers 200: a server that stopped serving is restarted. nullptr without a
// watchdog.
std::unique_ptr<WatchdogThread> StartServingWatchdog(const std::string& host,
                                                     int port) {
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      SystemdWatchdogTimeout());
  if (timeout.count() == 0) return nullptr;
  // A wildcard address is asked on loopback; an IPv6 literal in brackets.
  std::string probe = host;
  if (host.empty() || host == "0.0.0.0") probe = "127.0.0.1";
  if (host == "::") probe = "::1";
  if (probe.find(':') != std::string::npos) probe = "[" + probe + "]";
  aws::HttpCall call;
  call.url = "http://" + probe + ":" + std::to_string(port) + "/health";
  call.bypass_proxy = true;
  call.timeout = std::max(std::chrono::milliseconds(1), timeout / 4);
  call.connect_timeout = call.timeout;
  spdlog::info("systemd watchdog: {} ms, checked with GET {}", timeout.count(),
               call.url);
  auto transport = std::make_shared<aws::CurlTransport>();
  return std::make_unique<WatchdogThread>(timeout / 2, [transport, call] {
    auto reply = transport->Send(call);
    return reply.ok() && reply->status == 200;
  });
}

int RunPredictor(const PredictorFlags& flags) {
  // Before any thread starts (loading a model may start OpenMP's): a
  // SIGTERM delivered to a thread that does not block it would kill the
  // process instead of stopping it.
  BlockStopSignals();
  auto dir = ResolveModelDir(flags.model);
  if (!dir.ok()) return ReportError(dir.status());
  auto model = ModelBundle::Load(*dir);
  if (!model.ok()) return ReportError(model.status());
  const auto& m = **model;
  spdlog::info("model {} {} loaded from {} ({} format, {} engine)", m.name(),
               m.version(), m.dir(), m.format(), m.engine());

  MetricsRegistry metrics;
  auto service =
      std::make_shared<PredictorService>(*model, flags.predictor, &metrics);
  HttpServer server(
      flags.http,
      [service](const HttpRequest& req, HttpResponse& resp) {
        service->Handle(req, resp);
      },
      [service](std::string_view path, int status, double secs) {
        service->Observe(path, status, secs);
      });
  Status st = server.Start();
  if (!st.ok()) return ReportError(st);
  spdlog::info("predictor listening on {}:{}", flags.http.host, server.port());
  auto watchdog = StartServingWatchdog(flags.http.host, server.port());
  SystemdNotifyOrWarn(ReadyState("serving " + m.name() + " " + m.version() +
                                 " on " + flags.http.host + ":" +
                                 std::to_string(server.port())));
  int sig = WaitForStopSignal();
  spdlog::info("signal {} received; stopping", sig);
  SystemdNotifyOrWarn(kNotifyStopping);
  watchdog.reset();
  server.Stop();
  return kExitOk;
}

int RunPredict(const std::string& model_flag, const std::string& body) {
  auto dir = ResolveModelDir(model_flag);
  if (!dir.ok()) return ReportError(dir.status());
  auto model = ModelBundle::Load(*dir);
  if (!model.ok()) return ReportError(model.status());
  std::vector<InputValue> inputs;
  CodecError err;
  if (!DecodePredictRequest(body, (*model)->pipeline(), &inputs, &err)) {
    std::fprintf(stderr, "phas: %s\n",
                 HttpServer::ErrorBody(err.message, err.field).c_str());
    return kExitUsage;
  }
  Prediction pred;
  Status st = (*model)->Predict(inputs.data(), &pred);
  if (!st.ok()) return ReportError(st);
  std::string out;
  EncodePrediction(pred, **model, &out);
  std::printf("%s\n", out.c_str());
  return kExitOk;
}

}  // namespace

Result<std::string> ResolveModelDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  return FindDataPath("models/default");
}

void RegisterPredictorCommands(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PredictorFlags>();
  CLI::App* srv = app.add_subcommand(
      "predictor",
      "Serve the model over HTTP (POST /predict, /predict/batch, "
      "GET /health, /metrics)");
  srv->add_option(
      "--model", flags->model,
      "Model bundle directory (default: the shipped data/models/default)");
  srv->add_option("--host", flags->http.host, "Address to bind")
      ->capture_default_str();
  srv->add_option("--port", flags->http.port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  srv->add_option("--threads", flags->http.threads,
                  "Worker threads (0: one per CPU)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  srv->add_option("--max-batch", flags->predictor.max_batch,
                  "Most instances in one /predict/batch request")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  srv->add_option("--max-body-bytes", flags->http.max_body_bytes,
                  "Largest request body (413 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(1024, 64 << 20));
  srv->callback([flags, exit_code] { *exit_code = RunPredictor(*flags); });

  auto model = std::make_shared<std::string>();
  auto body = std::make_shared<std::string>();
  CLI::App* one = app.add_subcommand(
      "predict",
      "One prediction from the command line; prints the JSON answer");
  one->add_option(
      "--model", *model,
      "Model bundle directory (default: the shipped data/models/default)");
  one->add_option(
         "json", *body,
         R"(Request body, e.g. '{"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.99, "network", "low"]}')")
      ->required();
  one->callback(
      [model, body, exit_code] { *exit_code = RunPredict(*model, *body); });

  CLI::App* mdl =
      app.add_subcommand("model", "Inspect and convert model bundles");
  mdl->require_subcommand(1);
  auto inspect_dir = std::make_shared<std::string>();
  CLI::App* inspect = mdl->add_subcommand(
      "inspect", "Load a bundle and print what it is (JSON)");
  inspect->add_option("dir", *inspect_dir, "Model bundle directory")
      ->required();
  inspect->callback([inspect_dir, exit_code] {
    auto model = ModelBundle::Load(*inspect_dir);
    if (!model.ok()) {
      *exit_code = ReportError(model.status());
      return;
    }
    const ModelBundle& m = **model;
    nlohmann::json inputs = nlohmann::json::array();
    for (const InputSpec& in : m.pipeline().inputs()) inputs.push_back(in.name);
    nlohmann::json classes = nlohmann::json::array();
    for (const ClassInfo& c : m.classes()) {
      classes.push_back(
          {{"label", c.label}, {"action", ScaleActionName(c.action)}});
    }
    nlohmann::json j = {{"dir", m.dir()},
                        {"name", m.name()},
                        {"version", m.version()},
                        {"format", m.format()},
                        {"engine", m.engine()},
                        {"inputs", inputs},
                        {"columns", m.pipeline().columns()},
                        {"classes", classes}};
    std::printf("%s\n", DumpJson(j, 2).c_str());
    *exit_code = kExitOk;
  });
  auto legacy_dir = std::make_shared<std::string>();
  CLI::App* manifest = mdl->add_subcommand(
      "manifest",
      "Print the phas manifest.json equivalent to the original's model.json + "
      "scaler.json + columns.json");
  manifest
      ->add_option("dir", *legacy_dir, "Directory of the original's artifacts")
      ->required();
  manifest->callback([legacy_dir, exit_code] {
    auto m = ModelBundle::SeedManifest(*legacy_dir);
    if (!m.ok()) {
      *exit_code = ReportError(m.status());
      return;
    }
    std::printf("%s\n", m->dump(2).c_str());
    *exit_code = kExitOk;
  });
}

}  // namespace phas
