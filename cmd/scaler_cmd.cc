// `phas scaler`: the daemon.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "aws/environment.h"
#include "aws/session.h"
#include "cloud/aws_fleet.h"
#include "cmd/commands.h"
#include "cmd/group_source.h"
#include "cmd/number_checks.h"
#include "common/file_util.h"
#include "common/metrics.h"
#include "common/paths.h"
#include "common/process_metrics.h"
#include "common/systemd_notify.h"
#include "decision/points.h"
#include "http/http_server.h"
#include "model/bundle.h"
#include "scaler/conditions.h"
#include "scaler/config.h"
#include "scaler/cycle_log.h"
#include "scaler/driver.h"
#include "scaler/dynamo_ha.h"
#include "scaler/scaler.h"
#include "scaler/scaler_metrics.h"
#include "scaler/status_board.h"
#include "scaler/status_http.h"

namespace phas {
namespace {

struct ScalerFlags {
  std::string config;
  std::string region;
  double interval = 0;
  double metrics_refresh = -1;  // unset
  bool dry_run = false;
  std::string model;
  std::string predictor_url;
  std::string output_dir;
  std::string state_path;
  std::string metrics_listen;
  std::vector<std::string> groups;
  std::string policy;
  bool once = false;
  bool forecast_only = false;
};

// Flags that would otherwise be silently ignored or silently undo another:
// one line naming them.
Status CheckFlagCombinations(const ScalerFlags& f) {
  if (!f.policy.empty() && f.groups.empty()) {
    return Status::InvalidArgument(
        "--policy goes with --group (it is the --group groups' policy; the "
        "config's groups name their own)");
  }
  if (!f.model.empty() && !f.predictor_url.empty()) {
    return Status::InvalidArgument(
        "--model and --predictor-url: give one of them");
  }
  if (!f.metrics_listen.empty()) {
    PHAS_RETURN_IF_ERROR(ParseListenAddress(f.metrics_listen)
                             .status()
                             .WithContext("--metrics-listen"));
  }
  return Status::OK();
}

// Where a path setting came from, for its errors: the flag when given, else
// the config's key.
std::string PathSetting(const std::string& flag_value, const char* flag,
                        const std::string& config, const char* key) {
  if (!flag_value.empty()) return flag;
  return config.empty() ? key : config + ": " + key;
}
std::string OutputDirSetting(const ScalerFlags& f) {
  return PathSetting(f.output_dir, "--output-dir", f.config, "output_dir");
}
std::string StatePathSetting(const ScalerFlags& f) {
  return PathSetting(f.state_path, "--state", f.config, "state_path");
}

// The output directory must be one (or not exist yet), the state file must
// not be a directory: refused before anything is opened, naming the setting.
Status CheckPaths(const ScalerFlags& f, const ScalerConfig& c) {
  std::error_code ec;
  if (std::filesystem::exists(c.output_dir, ec) &&
      !std::filesystem::is_directory(c.output_dir, ec)) {
    return Status::InvalidArgument(fmt::format(
        "{}: '{}' is not a directory", OutputDirSetting(f), c.output_dir));
  }
  if (std::filesystem::is_directory(c.state_path, ec)) {
    return Status::InvalidArgument(
        fmt::format("{}: '{}' is a directory (a file is expected)",
                    StatePathSetting(f), c.state_path));
  }
  return Status::OK();
}

Result<ScalerConfig> BuildConfig(const ScalerFlags& f) {
  PHAS_RETURN_IF_ERROR(CheckFlagCombinations(f));
  ScalerConfig c;
  std::string source = "flags";
  if (!f.config.empty()) {
    PHAS_ASSIGN_OR_RETURN(c, LoadScalerConfig(f.config));
    source = f.config;
  }
  if (!f.region.empty()) c.region = f.region;
  if (f.interval > 0)
    c.interval = std::chrono::duration_cast<Duration>(Seconds(f.interval));
  if (f.metrics_refresh >= 0) {
    c.metrics_refresh =
        std::chrono::duration_cast<Duration>(Seconds(f.metrics_refresh));
  }
  if (f.dry_run) c.dry_run = true;
  // Either flag replaces the config's way of predicting, whichever it is.
  if (!f.model.empty()) {
    c.model_dir = f.model;
    c.predictor_url.clear();
  }
  if (!f.predictor_url.empty()) {
    c.predictor_url = f.predictor_url;
    c.model_dir.clear();
  }
  if (!f.output_dir.empty()) c.output_dir = f.output_dir;
  if (!f.state_path.empty()) c.state_path = f.state_path;
  if (!f.metrics_listen.empty()) c.metrics_listen = f.metrics_listen;
  if (!f.groups.empty()) {
    c.groups.clear();
    for (const std::string& name : f.groups) {
      GroupConfig g;
      g.name = name;
      if (!f.policy.empty()) {
        PHAS_RETURN_IF_ERROR(g.policy.Select(f.policy).WithContext("--policy"));
      }
      c.groups.push_back(g);
    }
  }
  PHAS_RETURN_IF_ERROR(ValidateScalerConfig(c, source));
  PHAS_RETURN_IF_ERROR(CheckPaths(f, c));
  return c;
}

Result<std::unique_ptr<Predictor>> MakePredictor(
    const ScalerConfig& c, std::shared_ptr<aws::HttpTransport> transport) {
  if (!c.predictor_url.empty()) {
    return std::unique_ptr<Predictor>(
        new HttpPredictor(c.predictor_url,
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              c.predictor_timeout),
                          transport));
  }
  PHAS_ASSIGN_OR_RETURN(std::string dir, ResolveModelDir(c.model_dir));
  PHAS_ASSIGN_OR_RETURN(auto model, ModelBundle::Load(dir));
  return std::unique_ptr<Predictor>(new BundlePredictor(model));
}

// Null when metrics_listen is off; checked by BuildConfig already.
Result<std::unique_ptr<HttpServer>> StartMetricsServer(
    const std::string& listen, HttpHandler handler) {
  PHAS_ASSIGN_OR_RETURN(std::optional<ListenAddress> address,
                        ParseListenAddress(listen));
  if (!address) return std::unique_ptr<HttpServer>();
  HttpServerOptions opts;
  opts.threads = 1;
  opts.host = address->host;
  opts.port = address->port;
  auto server = std::make_unique<HttpServer>(opts, std::move(handler));
  PHAS_RETURN_IF_ERROR(server->Start());
  return server;
}

// --once: one line on stderr and exit code 1 when a group could not be
// read, decided or acted on.
int OnceExitCode(const CycleReport& last) {
  auto failed = FailedGroups(last);
  if (failed.empty()) return kExitOk;
  std::string list;
  for (const auto& [group, why] : failed) {
    list += (list.empty() ? "" : "; ") + group + " (" + why + ")";
  }
  std::fprintf(stderr,
               "phas: --once: %zu group(s) not read or not acted on: %s\n",
               failed.size(), list.c_str());
  return kExitFailure;
}

// Replicas (config `ha:`): the lease table's client, the leases and the
// shared state store, which keeps the load history in `series`.
struct HaReplica {
  std::unique_ptr<aws::DynamoDbClient> db;
  std::unique_ptr<DynamoLeases> leases;
  std::unique_ptr<DynamoStateStore> store;
};

Result<HaReplica> OpenHaReplica(const ScalerConfig& c,
                                const aws::AwsSession& session,
                                std::unique_ptr<StateStore> series) {
  const HaSection& ha = *c.ha;
  HaReplica r;
  r.db = std::make_unique<aws::DynamoDbClient>(
      session.client(aws::Service::kDynamoDb));
  PHAS_RETURN_IF_ERROR(CheckHaTable(r.db.get(), ha.dynamodb_table));
  LeaseOptions lo;
  lo.duration = ha.lease;
  lo.margin = ha.margin.value_or(ha.lease / 3);
  std::vector<std::string> names;
  for (const GroupConfig& g : c.groups) names.push_back(g.name);
  std::string holder = MakeHolderId();
  r.leases = std::make_unique<DynamoLeases>(r.db.get(), ha.dynamodb_table,
                                            names, lo, holder);
  DynamoLeases* leases = r.leases.get();
  r.store = std::make_unique<DynamoStateStore>(
      r.db.get(), ha.dynamodb_table,
      [leases](const std::string& group) { return leases->Fence(group); },
      names, std::move(series));
  spdlog::info(
      "ha: replica {} on DynamoDB table {} ({}): lease {} s, renewed every "
      "cycle and every {} s, acts only within {} s of a renew",
      holder, ha.dynamodb_table, r.db->endpoint().url,
      std::chrono::duration<double>(lo.duration).count(),
      std::chrono::duration<double>(lo.renew_every()).count(),
      std::chrono::duration<double>(lo.duration - lo.margin).count());
  return r;
}

// Per group: whether this replica holds the lease, and until when.
void ExportLeases(const Leadership& leases, const ScalerConfig& c,
                  MetricsRegistry* registry) {
  for (const GroupConfig& g : c.groups) {
    LeaseView v = leases.View(g.name);
    registry
        ->GetGauge("phas_scaler_lease_held",
                   "1 while this replica holds the group's lease and renewed "
                   "it within lease - margin (it acts once it has read the "
                   "group's saved state).",
                   {{"group", g.name}})
        .Set(v.valid ? 1 : 0);
    registry
        ->GetGauge("phas_scaler_lease_expires_timestamp_seconds",
                   "When the group's lease ends, by its holder's clock (Unix "
                   "seconds; 0: no holder).",
                   {{"group", g.name}})
        .Set(v.holder.empty() ? 0 : ToUnixSeconds(v.expires));
  }
}

int RunScalerDaemon(const ScalerFlags& flags) {
  BlockStopSignals();  // before any thread starts
  // SIGTERM and SIGINT are heard from the start, with --once too. Before
  // the first cycle (the region's wait, the history's restore: a minute or
  // more) the process ends at once: nothing of it is half done that a kill
  // -9 would not leave the same (no lease is held yet, the state file is
  // crash-safe). Before, the signal waited, blocked, until the loop ran:
  // `systemctl stop` hung until TimeoutStopSec and SIGKILL, and --once
  // never heard it. In the loop, the cycle under way finishes.
  // Never destroyed: the detached thread may hear a signal while this
  // returns. An exit code already decided (ReportError: a config error, the
  // region's wait run out) is left as it is.
  static StopSignal& stop = *new StopSignal;
  static std::atomic<bool> looping{false};
  const bool once = flags.once;
  std::thread([once] {
    int sig = WaitForStopSignal();
    if (ExitDecided().load()) return;
    if (!looping.load()) {
      // --once stopped before its cycle did nothing it was asked: not 0.
      spdlog::info("signal {} received before the first cycle: stopping", sig);
      SystemdNotifyOrWarn(kNotifyStopping);
      std::_Exit(once ? kExitFailure : kExitOk);
    }
    spdlog::info("signal {} received: finishing the cycle", sig);
    stop.Stop();
  }).detach();
  auto config = BuildConfig(flags);
  if (!config.ok()) return ReportError(config.status());
  const ScalerConfig& c = *config;

  MetricsRegistry registry;
  SetBuildInfo(&registry);
  registry
      .GetGauge("phas_scaler_interval_seconds",
                "The control loop's interval (seconds).")
      .Set(std::chrono::duration<double>(c.interval).count());
  // The state file's lock first: a second scaler refused there has not
  // opened the first one's logs.
  bool recovered = false;
  auto store = SqliteStateStore::Open(c.state_path, &recovered);
  if (!store.ok()) {
    return ReportError(store.status().WithContext(StatePathSetting(flags)));
  }

  RecorderOptions ropts;
  ropts.output_dir = c.output_dir;
  ropts.max_bytes = c.log_max_bytes;
  ropts.keep = c.log_keep;
  ropts.echo_to_log = true;  // stderr, in --log-format, at --log-level
  ropts.metrics = &registry;
  Recorder recorder(ropts);
  if (Status st = recorder.Open(); !st.ok()) {
    return ReportError(st.WithContext(OutputDirSetting(flags)));
  }
  if (recovered) {
    spdlog::error(
        "state store {} was unreadable: moved aside, no scale-in for a "
        "cooldown (scale-out at once)",
        c.state_path);
  }

  SystemClock clock;
  auto transport = std::make_shared<aws::CurlTransport>();
  aws::AwsOptions aws_options = AwsOptionsOf(c, "");
  // No region configured and the instance metadata not answering yet (on
  // EC2 it can be late at boot): wait for it a minute before the usage
  // error, which systemd does not restart.
  constexpr Duration kRegionWait = std::chrono::seconds(60);
  auto session = aws::CreateWaitingForRegion(
      aws_options, aws::ProcessEnvironment(), &clock, kRegionWait,
      std::chrono::seconds(5),
      [](Duration d) { std::this_thread::sleep_for(d); },
      [&](const Status& st, Duration d) {
        spdlog::warn("{}; trying again in {} s (for up to {} s)", st.message(),
                     WholeSeconds(d), WholeSeconds(kRegionWait));
      });
  if (!session.ok()) return ReportError(session.status());
  StateStore* state_store = store->get();
  HaReplica ha;
  if (c.ha) {
    auto opened = OpenHaReplica(c, **session, std::move(*store));
    if (!opened.ok()) return ReportError(opened.status());
    ha = std::move(opened).value();
    state_store = ha.store.get();
  }
  GroupRoles roles;
  for (const GroupConfig& g : c.groups) roles.emplace_back(g.name, g.role);
  AwsFleet fleet(session->get(), roles, aws_options.retry);
  for (const AwsFleet::Role& r : fleet.roles()) {
    spdlog::info(
        "{}: calls as {} (STS AssumeRole, session name {})", r.config.origin,
        r.config.role_arn,
        r.config.session_name.empty() ? "phas" : r.config.session_name);
  }
  fleet.set_observer([&registry](const aws::CallRecord& r) {
    registry
        .GetCounter("phas_scaler_aws_requests_total",
                    "AWS API calls, by operation.",
                    {{"service", r.service}, {"operation", r.action}})
        .Inc();
    if (!r.status.ok()) {
      registry
          .GetCounter("phas_scaler_aws_errors_total",
                      "AWS API calls that failed, by error code.",
                      {{"service", r.service},
                       {"operation", r.action},
                       {"code", r.status.detail().empty() ? "network"
                                                          : r.status.detail()}})
          .Inc();
    }
  });

  bool needs_model = false;
  for (const GroupConfig& g : c.groups) {
    needs_model = needs_model || g.policy.MakePolicy()->needs().model;
  }
  std::unique_ptr<Predictor> predictor;
  if (needs_model) {
    auto p = MakePredictor(c, transport);
    if (!p.ok()) return ReportError(p.status());
    predictor = std::move(p).value();
    spdlog::info("predictions from {}", predictor->Describe());
  }
  std::vector<StatusGroup> board_groups;
  for (const GroupConfig& g : c.groups) {
    board_groups.push_back(
        {g.name, g.policy.target.utilization(), g.policy.target.signal.name,
         g.policy.target.signal.unit, g.policy.target.value});
  }
  StatusBoard board(board_groups,
                    {.interval = c.interval,
                     .started = clock.Now(),
                     .status_file = JoinPath(c.output_dir, "status.json")});
  auto metrics_server = StartMetricsServer(
      c.metrics_listen, ScalerHttpHandler(&registry, &board, &clock));
  if (!metrics_server.ok()) return ReportError(metrics_server.status());
  if (*metrics_server) {
    // The port bound (metrics_listen's port 0: any free one).
    const std::string at =
        FormatHostPort(ParseListenAddress(c.metrics_listen)->value().host,
                       (*metrics_server)->port());
    spdlog::info(
        "metrics on http://{0}/metrics, live page http://{0}/, health "
        "/healthz /readyz, status /status",
        at);
  }

  ScalerOptions sopts;
  sopts.dry_run = c.dry_run;
  sopts.observe.metrics_refresh = MetricsRefresh(c.metrics_refresh, c.interval);
  sopts.forecast_only = flags.forecast_only;
  sopts.controls.refresh = c.controls_refresh;
  LogReporter log(&recorder, (*session)->region().region);
  MetricsReporter metrics(&registry);
  ReporterList reporters({&log, &metrics, &board});
  Scaler scaler(c.groups, sopts,
                {.cloud = fleet.cloud(),
                 .clock = &clock,
                 .predictor = predictor.get(),
                 .store = state_store,
                 .reporter = &reporters,
                 .leases = ha.leases.get()});
  // With `ha:` the SQLite file keeps only the load history.
  if (Status st = scaler.Init(clock.Now(), recovered && !c.ha); !st.ok())
    return ReportError(st);
  scaler.RestoreHistory(clock.Now());
  Duration refresh = sopts.observe.metrics_refresh;
  spdlog::info(
      "scaler: {} group(s), interval {} s, metrics {}, region {} ({}){}",
      c.groups.size(), std::chrono::duration<double>(c.interval).count(),
      refresh == Duration::zero()
          ? std::string("read every cycle")
          : fmt::format("re-read every {} s",
                        std::chrono::duration<double>(refresh).count()),
      (*session)->region().region, (*session)->region().source,
      c.dry_run ? ", DRY RUN" : "");
  for (const GroupConfig& g : c.groups) {
    spdlog::info("group {}: reads {} per InService instance", g.name,
                 MetricsReadWords(g));
  }

  if (flags.forecast_only) {
    spdlog::warn(
        "--forecast-only: every group ({}) decides and logs what it would "
        "do, and never acts",
        c.groups.size());
  }
  // systemd (Type=notify): ready; the loop pings the watchdog every cycle,
  // so its timeout must cover a few intervals.
  auto watchdog = EnsureWatchdogTimeout(
      std::chrono::duration_cast<std::chrono::microseconds>(3 * c.interval));
  if (watchdog.count() > 0) {
    spdlog::info("systemd watchdog: {} s, pinged every cycle",
                 std::chrono::duration<double>(watchdog).count());
  }
  SystemdNotifyOrWarn(
      ReadyState(fmt::format("{} group(s), every {} s{}", c.groups.size(),
                             std::chrono::duration<double>(c.interval).count(),
                             c.dry_run ? ", dry run" : "")));

  Histogram& cycle_time = registry.GetHistogram(
      "phas_scaler_cycle_duration_seconds",
      "Wall time of a control loop cycle.", MetricsRegistry::LatencyBuckets());
  RealTimeOptions run;
  run.interval = c.interval;
  run.once = flags.once;
  run.on_cycle = [&](const CycleReport&, double took) {
    cycle_time.Observe(took);
    SystemdNotifyOrWarn(kNotifyWatchdog);
    if (ha.leases) ExportLeases(*ha.leases, c, &registry);
  };
  if (ha.leases) {
    run.tick = ha.leases->options().renew_every();
    run.on_tick = [&] { ha.leases->Renew(clock.Now()); };
  }
  run.on_cycle_start = [&board](TimePoint now) { board.CycleStarted(now); };
  looping = true;
  CycleReport last = RunRealTime(scaler, clock, run, &stop);
  if (ha.leases) ha.leases->ReleaseAll();
  SystemdNotifyOrWarn(kNotifyStopping);
  recorder.Flush();
  if (*metrics_server) (*metrics_server)->Stop();
  spdlog::info("scaler stopped");
  return flags.once ? OnceExitCode(last) : kExitOk;
}

}  // namespace

void RegisterScalerCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ScalerFlags>();
  CLI::App* cmd = app.add_subcommand("scaler",
                                     "Run the control loop against AWS: watch "
                                     "Auto Scaling groups and set their "
                                     "desired capacity");
  cmd->add_option("--config", f->config,
                  "YAML configuration (deploy/phas.yaml is an example)");
  cmd->add_option("--group", f->groups,
                  "Auto Scaling group to manage (repeatable; replaces the "
                  "config's groups)");
  cmd->add_option("--policy", f->policy,
                  "Policy for the --group groups (default: seed)");
  cmd->add_option("--region", f->region, "AWS region");
  cmd->add_option("--interval", f->interval,
                  "Seconds between cycles (default 10)")
      ->check(NumberIn(1.0, 3600.0));
  cmd->add_option("--metrics-refresh", f->metrics_refresh,
                  "Re-read CloudWatch metrics at most every this many seconds; "
                  "0: every cycle (default 60, or every cycle when the "
                  "interval is 60 s or longer)")
      ->check(NumberIn(0.0, 3600.0));
  cmd->add_flag("--dry-run", f->dry_run, "Decide and log, never act");
  cmd->add_option("--model", f->model,
                  "Model bundle directory (default: shipped default)");
  cmd->add_option("--predictor-url", f->predictor_url,
                  "Ask a phas predictor over HTTP instead (e.g. "
                  "http://127.0.0.1:8000/predict)");
  cmd->add_option("--output-dir", f->output_dir,
                  "Where ec2_monitor.log and records go (default output)");
  cmd->add_option("--state", f->state_path,
                  "SQLite state file (default state/phas.db)");
  cmd->add_option(
      "--metrics-listen", f->metrics_listen,
      "Prometheus /metrics address, or off (default 127.0.0.1:9464)");
  cmd->add_flag("--once", f->once,
                "Run one cycle and exit (exit code 1 when a group could not "
                "be read or acted on)");
  cmd->add_flag("--forecast-only", f->forecast_only,
                "Every group decides and logs what it would do, and never acts "
                "(whatever its policy)");
  cmd->callback([f, exit_code] { *exit_code = RunScalerDaemon(*f); });
}

}  // namespace phas
