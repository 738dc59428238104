#include "predictor/service.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "http/http_parser.h"
#include "predictor/codec.h"

namespace phas {
namespace {

void Error(HttpResponse& resp, int status, std::string_view message,
           std::string_view field = {}) {
  resp.status = status;
  resp.content_type = "application/json";
  resp.body = HttpServer::ErrorBody(message, field);
}

bool MethodIs(const HttpRequest& req, std::string_view m) {
  return req.method == m;
}

}  // namespace

PredictorService::PredictorService(std::shared_ptr<const ModelBundle> model,
                                   PredictorOptions options,
                                   MetricsRegistry* metrics)
    : model_(std::move(model)),
      options_(options),
      metrics_(metrics),
      started_(std::chrono::steady_clock::now()) {
  for (int r = 0; r < kNumRoutes; ++r) {
    latency_[r] = &metrics_->GetHistogram(
        "phas_predictor_request_duration_seconds",
        "Time from a complete request to its queued response, by route.",
        MetricsRegistry::LatencyBuckets(), {{"route", RouteLabel(Route(r))}});
  }
  for (size_t c = 0; c < model_->classes().size(); ++c) {
    by_class_.push_back(&metrics_->GetCounter(
        "phas_predictor_predictions_total", "Predictions answered, by class.",
        {{"class", std::to_string(c)}, {"label", model_->classes()[c].label}}));
  }
  metrics_
      ->GetGauge("phas_model_info", "The loaded model (always 1).",
                 {{"name", model_->name()},
                  {"version", model_->version()},
                  {"format", model_->format()},
                  {"engine", model_->engine()}})
      .Set(1);
}

PredictorService::Route PredictorService::RouteOf(std::string_view path) {
  if (path == "/predict") return kPredict;
  if (path == "/predict/batch") return kBatch;
  if (path == "/health") return kHealth;
  if (path == "/metrics") return kMetrics;
  return kOther;
}

const char* PredictorService::RouteLabel(Route r) {
  switch (r) {
    case kPredict:
      return "/predict";
    case kBatch:
      return "/predict/batch";
    case kHealth:
      return "/health";
    case kMetrics:
      return "/metrics";
    default:
      return "other";
  }
}

Counter& PredictorService::RequestCounter(Route r, int status) {
  int idx = std::clamp(status, 100, 599) - 100;
  Counter* c = requests_[r][idx].load(std::memory_order_acquire);
  if (c == nullptr) {
    c = &metrics_->GetCounter(
        "phas_predictor_requests_total",
        "HTTP requests answered, by route and status.",
        {{"route", RouteLabel(r)}, {"status", std::to_string(status)}});
    requests_[r][idx].store(c, std::memory_order_release);
  }
  return *c;
}

void PredictorService::Observe(std::string_view path, int status,
                               double seconds) {
  Route r = RouteOf(path);
  RequestCounter(r, status).Inc();
  latency_[r]->Observe(seconds);
}

bool PredictorService::CheckContentType(const HttpRequest& req,
                                        HttpResponse& resp) {
  std::string_view ct = req.Header("content-type");
  if (ct.empty()) return true;  // tolerated: the body must still be JSON
  std::string_view media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  if (EqualsIgnoreCase(media, "application/json") ||
      (media.size() > 5 &&
       EqualsIgnoreCase(media.substr(media.size() - 5), "+json"))) {
    return true;
  }
  Error(resp, 415,
        fmt::format("Content-Type must be application/json, got '{}'",
                    std::string(ct.substr(0, 64))),
        "Content-Type");
  return false;
}

void PredictorService::Handle(const HttpRequest& req, HttpResponse& resp) {
  Route route = RouteOf(req.path);
  const char* allow = nullptr;
  bool method_ok = false;
  switch (route) {
    case kPredict:
    case kBatch:
      allow = "POST";
      method_ok = MethodIs(req, "POST");
      break;
    case kHealth:
    case kMetrics:
      allow = "GET, HEAD";
      method_ok = MethodIs(req, "GET") || MethodIs(req, "HEAD");
      break;
    case kOther:
    default:
      Error(resp, 404,
            fmt::format("no route {}; routes: POST /predict, POST "
                        "/predict/batch, GET /health, GET /metrics",
                        std::string(req.path.substr(0, 128))),
            "path");
      return;
  }
  if (!method_ok) {
    Error(resp, 405,
          fmt::format("{} does not accept {}; use {}", RouteLabel(route),
                      std::string(req.method.substr(0, 16)), allow),
          "method");
    resp.headers.emplace_back("Allow", allow);
    return;
  }
  switch (route) {
    case kPredict:
      HandlePredict(req, resp);
      break;
    case kBatch:
      HandleBatch(req, resp);
      break;
    case kHealth:
      HandleHealth(resp);
      break;
    case kMetrics:
      resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
      resp.body = metrics_->Render();
      break;
    default:
      break;
  }
}

void PredictorService::HandlePredict(const HttpRequest& req,
                                     HttpResponse& resp) {
  if (!CheckContentType(req, resp)) return;
  if (req.body.size() > options_.max_predict_body) {
    Error(resp, 413,
          fmt::format("body of {} bytes is larger than the /predict limit of "
                      "{}; use /predict/batch for many instances",
                      req.body.size(), options_.max_predict_body),
          "body");
    return;
  }
  std::vector<InputValue> inputs;
  CodecError err;
  if (!DecodePredictRequest(req.body, model_->pipeline(), &inputs, &err)) {
    Error(resp, err.status, err.message, err.field);
    return;
  }
  Prediction pred;
  Status st = model_->Predict(inputs.data(), &pred);
  if (!st.ok()) {
    Error(resp, 500, "prediction failed: " + st.message());
    return;
  }
  by_class_[pred.cls]->Inc();
  resp.body.reserve(192);
  EncodePrediction(pred, *model_, &resp.body);
}

void PredictorService::HandleBatch(const HttpRequest& req, HttpResponse& resp) {
  if (!CheckContentType(req, resp)) return;
  std::vector<InputValue> inputs;
  size_t rows = 0;
  CodecError err;
  if (!DecodeBatchRequest(req.body, model_->pipeline(), options_.max_batch,
                          &inputs, &rows, &err)) {
    Error(resp, err.status, err.message, err.field);
    return;
  }
  size_t k = model_->pipeline().inputs().size();
  std::string& out = resp.body;
  out.reserve(rows * 160 + 32);
  out.append("{\"predictions\":[");
  Prediction pred;
  for (size_t r = 0; r < rows; ++r) {
    Status st = model_->Predict(inputs.data() + r * k, &pred);
    if (!st.ok()) {
      Error(resp, 500, "prediction failed: " + st.message());
      return;
    }
    by_class_[pred.cls]->Inc();
    if (r) out.push_back(',');
    EncodePrediction(pred, *model_, &out);
  }
  out.append("]}");
}

void PredictorService::HandleHealth(HttpResponse& resp) {
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
          .count();
  nlohmann::json j = {
      {"status", "ok"},
      {"model",
       {{"loaded", true},
        {"name", model_->name()},
        {"version", model_->version()},
        {"format", model_->format()},
        {"engine", model_->engine()},
        {"inputs", model_->pipeline().inputs().size()},
        {"required_inputs", model_->pipeline().required_inputs()},
        {"classes", model_->classes().size()}}},
      {"uptime_seconds", uptime},
  };
  resp.body = DumpJson(j);
}

}  // namespace phas
