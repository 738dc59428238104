// The scaler's configuration (scaler/config.h): the shipped example parses,
// every error names its key, each policy gets its own guard defaults.
#include "scaler/config.h"

#include <gtest/gtest.h>

#include "decision/predictive_policy.h"
#include "decision/seed_policy.h"
#include "sim/backtest_config.h"
#include "test_util.h"

namespace phas {
namespace {

using std::chrono::seconds;

// A config file that cannot be read is a configuration error (exit 2, not
// restarted by the units), like a bad key. /proc/self/mem opens, and its
// first read fails (EIO), even for root.
TEST(ConfigTest, AnUnreadableConfigFileIsAUsageError) {
  auto c = LoadScalerConfig("/proc/self/mem");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument)
      << c.status().ToString();
  EXPECT_NE(c.status().message().find("config: /proc/self/mem"),
            std::string::npos)
      << c.status().message();
  auto missing = LoadScalerConfig("/nonexistent/phas.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST(ConfigTest, ShippedExampleParses) {
  auto c = LoadScalerConfig(testing::SourcePath("deploy/phas.yaml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(ValidateScalerConfig(*c, "deploy/phas.yaml").ok());
  ASSERT_FALSE(c->groups.empty());
  // The example is what the docs recommend: the predictive policy with its
  // own guard, the metrics re-read every 60 s.
  const PolicyConfig& p = c->groups[0].policy;
  EXPECT_EQ(p.name(), "predictive");
  EXPECT_EQ(p.guard(), PolicyRegistry::Default().Find("predictive")->guard);
  EXPECT_FALSE(p.cooldown || p.max_step_up || p.max_step_down)
      << "the guard keys are shown as overrides, commented out";
  EXPECT_EQ(MetricsRefresh(c->metrics_refresh, c->interval), seconds(60));
}

TEST(ConfigTest, ErrorsNameTheKey) {
  struct Case {
    const char* name;
    std::string yaml;
    // expected in the message
    std::string key;
  };
  const Case cases[] = {
      {"unknown top-level key", "intervall_seconds: 5\n", "intervall_seconds"},
      // The model was silently ignored: predictor_url was asked.
      {"model and predictor_url",
       "model: m\npredictor_url: http://127.0.0.1:8000/predict\n",
       "model: give it or predictor_url, not both"},
      // The port was read by std::stoi at startup: 99999 bound a random
      // port, junk after it was dropped, -5 failed in the resolver.
      {"listen port too big", "metrics_listen: 127.0.0.1:99999\n",
       "metrics_listen: must be host:port (port 0 to 65535) or off, got "
       "'127.0.0.1:99999'"},
      {"listen port junk", "metrics_listen: 127.0.0.1:18780junk\n",
       "metrics_listen: must be host:port"},
      {"listen port negative", "metrics_listen: 127.0.0.1:-5\n",
       "metrics_listen: must be host:port"},
      {"listen port missing", "metrics_listen: '127.0.0.1:'\n",
       "metrics_listen: must be host:port"},
      {"listen host missing", "metrics_listen: ':9464'\n",
       "metrics_listen: must be host:port"},
      {"bad interval", "interval_seconds: fast\n", "interval_seconds"},
      {"negative metrics refresh", "metrics_refresh_seconds: -5\n",
       "metrics_refresh_seconds"},
      {"unknown group key", "groups:\n  - name: a\n    coldown_seconds: 3\n",
       "groups[0].coldown_seconds"},
      {"negative cooldown", "groups:\n  - name: a\n    cooldown_seconds: -1\n",
       "groups[0].cooldown_seconds"},
      {"duplicated key",
       "groups:\n  - name: a\n    cooldown_seconds: 1\n    cooldown_seconds: "
       "2\n",
       "groups[0].cooldown_seconds: appears twice"},
      {"unknown policy", "groups:\n  - name: a\n    policy: magic\n",
       "groups[0].policy"},
      {"bad fallback", "groups:\n  - name: a\n    seed: {fallback: panic}\n",
       "groups[0].seed.fallback"},
      {"bad streak", "groups:\n  - name: a\n    seed: {scale_down_streak: 0}\n",
       "groups[0].seed.scale_down_streak"},
      {"nested section",
       "groups:\n  - name: a\n    seed: {reactive: {tolerance: 2}}\n",
       "groups[0].seed.reactive.tolerance"},
      {"bad target", "groups:\n  - name: a\n    target: 150\n",
       "groups[0].target"},
      {"target_cpu moved to the group",
       "groups:\n  - name: a\n    policy: reactive\n    reactive: "
       "{target_cpu: 50}\n",
       "groups[0].reactive.target_cpu: moved"},
      {"another policy's section",
       "groups:\n  - name: a\n    policy: seed\n    hpa: {tolerance: 0.2}\n",
       "groups[0].hpa: configures the hpa policy"},
      {"a setting that is a state",
       "groups:\n  - name: a\n    policy: step\n    step: {out_steps: [{lower: "
       "5, upper: 1}]}\n",
       "groups[0].step.out_steps[0].upper"},
      {"simulator-only policy", "groups:\n  - name: a\n    policy: oracle\n",
       "groups[0].policy: oracle runs only in the simulator"},
      {"bad dry_run", "dry_run: maybe\n", "dry_run"},
      {"controls read too often", "controls_refresh_seconds: 5\n",
       "controls_refresh_seconds"},
      {"unknown aws_policies",
       "groups:\n  - name: a\n    aws_policies: ignore\n",
       "groups[0].aws_policies: must be refuse or scale_out_only, got "
       "'ignore'"},
      {"unknown instance_metrics",
       "groups:\n  - name: a\n    instance_metrics: some\n",
       "groups[0].instance_metrics: must be one of all, used, got 'some'"},
      {"bad endpoint", "aws:\n  endpoints:\n    ec2: localhost:5000\n",
       "aws.endpoints.ec2"},
      {"bad memory dimension",
       "groups:\n  - name: a\n    memory_metric: {dimensions: [ImageId]}\n",
       "groups[0].memory_metric.dimensions[0]"},
      {"memory dimension not a string",
       "groups:\n  - name: a\n    memory_metric: {dimensions: [{a: 1}]}\n",
       "groups[0].memory_metric.dimensions[0]"},
      {"not yaml", "groups: [\n", "not valid YAML"},
      {"predictor_url not a URL",
       "predictor_url: not-a-url\ngroups:\n  - name: a\n",
       "predictor_url: must be an http:// or https:// URL, got 'not-a-url'"},
      {"predictor_url without a scheme",
       "predictor_url: localhost:8080/predict\ngroups:\n  - name: a\n",
       "predictor_url: must be an http:// or https:// URL"},
      {"predictor_url of another scheme",
       "predictor_url: ftp://x/predict\ngroups:\n  - name: a\n",
       "predictor_url: must be an http:// or https:// URL"},
      {"unknown signal", "groups:\n  - name: a\n    signal: memory\n",
       "groups[0].signal: must be one of"},
      {"signal without type",
       "groups:\n  - name: a\n    signal: {resource_label: x}\n",
       "groups[0].signal.type: missing"},
      {"alb signal without label",
       "groups:\n  - name: a\n    signal: {type: alb_requests}\n    "
       "target: 100\n",
       "groups[0].signal.resource_label: missing"},
      {"alb signal with a bad label",
       "groups:\n  - name: a\n    signal: {type: alb_requests, "
       "resource_label: app/x}\n    target: 100\n",
       "groups[0].signal.resource_label: 'app/x' is not"},
      {"label on another signal",
       "groups:\n  - name: a\n    signal: {type: cpu, resource_label: x}\n",
       "groups[0].signal.resource_label: only for type alb_requests"},
      {"a signal other than cpu needs its target",
       "groups:\n  - name: a\n    signal: network_in\n",
       "groups[0].target: needed with signal network_in"},
      {"cpu has a full value already",
       "groups:\n  - name: a\n    signal: {type: cpu, full: 50}\n",
       "groups[0].signal.full"},
      {"custom signal without metrics",
       "groups:\n  - name: a\n    target: 5\n    signal: {type: custom}\n",
       "groups[0].signal.metrics"},
      {"custom metric id",
       "groups:\n  - name: a\n    target: 5\n    signal: {type: custom, "
       "metrics: [{id: M1, namespace: App, name: R}]}\n",
       "groups[0].signal.metrics[0].id"},
      {"custom metric without a name",
       "groups:\n  - name: a\n    target: 5\n    signal: {type: custom, "
       "metrics: [{id: m1, namespace: App}]}\n",
       "groups[0].signal.metrics[0].name: missing"},
      {"a custom metric named as the expression",
       "groups:\n  - name: a\n    target: 5\n    signal: {type: custom, "
       "metrics: [{id: load, namespace: A, name: R}], expression: load * "
       "2}\n",
       "groups[0].signal.metrics[0].id: 'load' is the expression's own id"},
      {"several custom metrics need an expression",
       "groups:\n  - name: a\n    target: 5\n    signal: {type: custom, "
       "metrics: [{id: m1, namespace: A, name: R}, {id: m2, namespace: A, "
       "name: S}]}\n",
       "groups[0].signal.expression: needed"},
      {"step thresholds are in the signal's unit",
       "groups:\n  - name: a\n    policy: step\n    signal: alb_requests\n",
       "groups[0].signal.resource_label"},
      {"step thresholds needed with another signal",
       "groups:\n  - name: a\n    policy: step\n    signal: network_in\n    "
       "target: 1000000\n",
       "groups[0].step.high_threshold: needed with signal network_in"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Result<ScalerConfig> c = Status::Internal("threw");
    EXPECT_NO_THROW(c = ParseScalerConfig(tc.yaml, "test.yaml"));
    if (c.ok()) {
      Status st = ValidateScalerConfig(*c, "test.yaml");
      ASSERT_FALSE(st.ok()) << "accepted";
      c = st;
    }
    EXPECT_TRUE(c.status().IsInvalidArgument()) << c.status().ToString();
    EXPECT_NE(c.status().message().find(tc.key), std::string::npos)
        << c.status().message();
    EXPECT_NE(c.status().message().find("test.yaml"), std::string::npos);
  }
  ScalerConfig dup;
  dup.groups.resize(2);
  dup.groups[0].name = dup.groups[1].name = "a";
  Status st = ValidateScalerConfig(dup, "x.yaml");
  EXPECT_NE(st.message().find("groups[1].name"), std::string::npos)
      << st.message();
}

TEST(ConfigTest, ListenAddresses) {
  struct Case {
    std::string text;
    // expected: nullopt for off; host "" for an error
    std::optional<ListenAddress> want;
  } cases[] = {
      {"127.0.0.1:9464", ListenAddress{"127.0.0.1", 9464}},
      {"0.0.0.0:0", ListenAddress{"0.0.0.0", 0}},
      {"localhost:65535", ListenAddress{"localhost", 65535}},
      {"9464", ListenAddress{"127.0.0.1", 9464}},
      {"off", std::nullopt},
      {"", std::nullopt},
      {"127.0.0.1:65536", ListenAddress{}},
      {"127.0.0.1:123456", ListenAddress{}},
      {"127.0.0.1:+80", ListenAddress{}},
      {"127.0.0.1: 80", ListenAddress{}},
      {"127.0.0.1:80 ", ListenAddress{}},
      {"nine", ListenAddress{}},
      {"::1:9464", ListenAddress{"::1", 9464}},
      {"[::1]:9464", ListenAddress{"::1", 9464}},
      {"[::]:0", ListenAddress{"::", 0}},
      {"[]:9464", ListenAddress{}},
      {"[localhost]:9464", ListenAddress{}},
      {"[::1:9464", ListenAddress{}},
      {"::1]:9464", ListenAddress{}},
      {"[::1]9464", ListenAddress{}},
  };
  EXPECT_EQ(FormatHostPort("::1", 9464), "[::1]:9464");
  EXPECT_EQ(FormatHostPort("127.0.0.1", 80), "127.0.0.1:80");
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.text);
    auto got = ParseListenAddress(tc.text);
    if (tc.want && tc.want->host.empty()) {
      EXPECT_TRUE(got.status().IsInvalidArgument()) << "accepted";
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->has_value(), tc.want.has_value());
    if (!tc.want) continue;
    EXPECT_EQ((*got)->host, tc.want->host);
    EXPECT_EQ((*got)->port, tc.want->port);
  }
}

// Each policy's guard defaults apply unless the group overrides them (the
// defaults live in one place: scaler/policy_registry.cc).
TEST(ConfigTest, SharingWithAwsAndTheControlsRefresh) {
  auto c = ParseScalerConfig(
      "controls_refresh_seconds: 120\n"
      "groups:\n  - name: a\n    aws_policies: scale_out_only\n"
      "  - name: b\n    aws_policies: refuse\n  - name: c\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->controls_refresh, std::chrono::seconds(120));
  EXPECT_EQ(c->groups[0].aws_policies, AwsPolicySharing::kScaleOutOnly);
  EXPECT_EQ(c->groups[1].aws_policies, AwsPolicySharing::kRefuse);
  EXPECT_EQ(c->groups[2].aws_policies, AwsPolicySharing::kRefuse);
  auto d = ParseScalerConfig("groups:\n  - name: a\n", "t.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->controls_refresh, std::chrono::minutes(5));
}

TEST(ConfigTest, InstanceMetricsAreTheUsedOnesUnlessAllAreAsked) {
  auto c = ParseScalerConfig(
      "groups:\n  - name: a\n    instance_metrics: all\n    policy: "
      "reactive\n"
      "  - name: b\n    instance_metrics: used\n    policy: reactive\n"
      "  - name: c\n    policy: target-tracking\n"
      "  - name: d\n    policy: seed\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->groups[0].all_metrics);
  EXPECT_FALSE(c->groups[1].all_metrics);
  EXPECT_FALSE(c->groups[2].all_metrics);
  EXPECT_FALSE(c->groups[3].all_metrics);
  // What the loop reads: all when asked, or when the policy asks a model.
  EXPECT_TRUE(ReadsAllMetrics(c->groups[0]));
  EXPECT_FALSE(ReadsAllMetrics(c->groups[1]));
  EXPECT_FALSE(ReadsAllMetrics(c->groups[2]));
  EXPECT_TRUE(ReadsAllMetrics(c->groups[3]));
  // The startup log says what each read asks.
  EXPECT_EQ(MetricsReadWords(c->groups[0]),
            "the 7 AWS/EC2 metrics and the memory metric (instance_metrics: "
            "all)");
  EXPECT_EQ(MetricsReadWords(c->groups[2]),
            "CPUUtilization (instance_metrics: used)");
  EXPECT_EQ(MetricsReadWords(c->groups[3]),
            "the 7 AWS/EC2 metrics and the memory metric (instance_metrics: "
            "used; the policy asks a model)");
  c->groups[1].signal.kind = SignalKind::kNetworkIn;
  EXPECT_EQ(MetricsReadWords(c->groups[1]),
            "CPUUtilization and NetworkIn (instance_metrics: used)");
}

TEST(ConfigTest, SignalsAndTheirTargets) {
  auto c = ParseScalerConfig(
      "groups:\n"
      "  - name: cpu\n"
      "  - name: alb\n"
      "    policy: target-tracking\n"
      "    target: 1000\n"
      "    signal:\n"
      "      type: alb_requests\n"
      "      resource_label: app/web/1a/targetgroup/web-tg/2b\n"
      "  - name: custom\n"
      "    policy: step\n"
      "    target: 50\n"
      "    signal:\n"
      "      type: custom\n"
      "      unit: jobs\n"
      "      full: 80\n"
      "      metrics:\n"
      "        - {id: m1, namespace: App, name: Jobs, dimensions: {Queue: "
      "q1}}\n"
      "        - {id: m2, namespace: App, name: Jobs, stat: Average, "
      "dimensions: {Queue: q2}}\n"
      "      expression: m1 + m2\n"
      "    step: {high_threshold: 60, low_threshold: 30, out_steps: [{lower: "
      "0, adjustment: 1}]}\n",
      "test.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const GroupConfig& cpu = c->groups[0];
  EXPECT_EQ(cpu.signal.kind, SignalKind::kCpu);
  EXPECT_EQ(cpu.policy.target.signal.name, "cpu");
  EXPECT_DOUBLE_EQ(cpu.policy.target.value, 60);
  const GroupConfig& alb = c->groups[1];
  EXPECT_EQ(alb.signal.kind, SignalKind::kAlbRequests);
  EXPECT_EQ(alb.policy.target.signal.name, "alb_requests");
  EXPECT_DOUBLE_EQ(alb.policy.target.value, 1000);
  // No natural "full" for requests: the load is counted in targets.
  EXPECT_DOUBLE_EQ(alb.policy.target.signal.full, 1000);
  EXPECT_DOUBLE_EQ(alb.policy.target.utilization(), 1.0);
  const GroupConfig& custom = c->groups[2];
  ASSERT_EQ(custom.signal.metrics.size(), 2u);
  EXPECT_EQ(custom.signal.metrics[0].stat, "Sum");  // the default
  EXPECT_EQ(custom.signal.metrics[1].stat, "Average");
  ASSERT_EQ(custom.signal.metrics[1].dimensions.size(), 1u);
  EXPECT_EQ(custom.signal.metrics[1].dimensions[0].value, "q2");
  EXPECT_EQ(custom.signal.expression, "m1 + m2");
  EXPECT_DOUBLE_EQ(custom.policy.target.signal.full, 80);
  EXPECT_EQ(custom.policy.target.signal.unit, " jobs");
}

// A group's role_arn (with external_id and session_name): read as STS
// AssumeRole takes them, validated, and every error names its key.
TEST(ConfigTest, GroupRoles) {
  struct Case {
    const char* name;
    std::string keys;  // the group entry's role keys
    // expected: the parsed role, or an error naming `error_key` and saying
    // `error_words`
    std::string arn, external_id, session_name;
    std::string error_key, error_words;
  };
  const std::string arn = "arn:aws:iam::123456789012:role/phas-scaler";
  const Case cases[] = {
      {"none: the process's credentials", "", "", "", "", "", ""},
      {"role only", "role_arn: " + arn, arn, "", "", "", ""},
      {"every key",
       "role_arn: " + arn +
           "\n    external_id: ext-42:a/b\n"
           "    session_name: phas-web",
       arn, "ext-42:a/b", "phas-web", "", ""},
      {"a path, another partition",
       "role_arn: arn:aws-cn:iam::210987654321:role/ops/phas@x",
       "arn:aws-cn:iam::210987654321:role/ops/phas@x", "", "", "", ""},
      {"not an ARN", "role_arn: phas-scaler", "", "", "", "groups[0].role_arn",
       "not an ARN"},
      {"empty", "role_arn: ''", "", "", "", "groups[0].role_arn",
       "must not be empty"},
      {"a user, not a role", "role_arn: arn:aws:iam::123456789012:user/phas",
       "", "", "", "groups[0].role_arn", "not a role"},
      {"another service",
       "role_arn: arn:aws:sts::123456789012:assumed-role/phas/x", "", "", "",
       "groups[0].role_arn", "not an IAM ARN"},
      {"short account", "role_arn: arn:aws:iam::12345:role/phas", "", "", "",
       "groups[0].role_arn", "12 digits"},
      {"no name", "role_arn: arn:aws:iam::123456789012:role/", "", "", "",
       "groups[0].role_arn", "not a role"},
      {"a name with a space",
       "role_arn: 'arn:aws:iam::123456789012:role/my role'", "", "", "",
       "groups[0].role_arn", "not a role"},
      {"not a string", "role_arn: [a]", "", "", "", "groups[0].role_arn",
       "must be a string"},
      {"external_id without role_arn", "external_id: x42", "", "", "",
       "groups[0].external_id", "only with role_arn"},
      {"session_name without role_arn", "session_name: phas", "", "", "",
       "groups[0].session_name", "only with role_arn"},
      {"external_id too short", "role_arn: " + arn + "\n    external_id: x", "",
       "", "", "groups[0].external_id", "2 to 1224"},
      {"session_name with a space",
       "role_arn: " + arn + "\n    session_name: 'a b'", "", "", "",
       "groups[0].session_name", "2 to 64"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = ParseScalerConfig("groups:\n  - name: web\n    " + tc.keys + "\n",
                               "test.yaml");
    if (!tc.error_key.empty()) {
      ASSERT_FALSE(c.ok());
      EXPECT_TRUE(c.status().IsInvalidArgument());
      EXPECT_NE(c.status().message().find("test.yaml: " + tc.error_key + ":"),
                std::string::npos)
          << c.status().message();
      EXPECT_NE(c.status().message().find(tc.error_words), std::string::npos)
          << c.status().message();
      continue;
    }
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    const aws::AssumeRoleConfig& role = c->groups[0].role;
    EXPECT_EQ(role.role_arn, tc.arn);
    EXPECT_EQ(role.external_id, tc.external_id);
    EXPECT_EQ(role.session_name, tc.session_name);
  }
}

TEST(ConfigTest, GuardDefaultsArePerPolicyAndOverridable) {
  struct Case {
    const char* name;
    std::string entry;  // the keys after "name: a"
    // expected
    GuardConfig guard;
  };
  const Case cases[] = {
      {"seed", "policy: seed", {seconds(300), 0, 0}},
      {"reactive", "policy: reactive", {seconds(300), 0, 0}},
      {"target tracking", "policy: target-tracking", {seconds(60), 0, 0}},
      {"step", "policy: step", {seconds(60), 0, 0}},
      {"hpa", "policy: hpa", {seconds(0), 0, 0}},
      {"aws-predictive", "policy: aws-predictive", {seconds(60), 0, 0}},
      {"predictive", "policy: predictive", {seconds(60), 10, 3}},
      {"predictive, cooldown set",
       "policy: predictive\n    cooldown_seconds: 30",
       {seconds(30), 10, 3}},
      {"predictive, unlimited steps",
       "policy: predictive\n    max_step_up: 0\n    max_step_down: 0",
       {seconds(60), 0, 0}},
      {"seed, one at a time",
       "policy: seed\n    max_step_up: 1\n    max_step_down: 1",
       {seconds(300), 1, 1}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = ParseScalerConfig("groups:\n  - name: a\n    " + tc.entry + "\n",
                               "t.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->groups[0].policy.guard(), tc.guard);
  }
}

// metrics_refresh_seconds: 60 by default, every cycle when the interval is
// 60 s or longer, an explicit value wins; a backtest's world reads it alike.
TEST(ConfigTest,
     MetricsRefreshDefaultsToSixtySecondsUnlessTheIntervalIsLonger) {
  struct Case {
    const char* name;
    std::string keys;  // of the scaler config's top level / a backtest world
    // expected
    Duration refresh;
  };
  const Case cases[] = {
      {"default interval (10 s)", "", seconds(60)},
      {"interval 30 s", "interval_seconds: 30", seconds(60)},
      {"interval 59 s", "interval_seconds: 59", seconds(60)},
      {"interval 60 s: every cycle", "interval_seconds: 60", seconds(0)},
      {"interval 300 s: every cycle", "interval_seconds: 300", seconds(0)},
      {"explicit 0: every cycle", "metrics_refresh_seconds: 0", seconds(0)},
      {"explicit 30", "metrics_refresh_seconds: 30", seconds(30)},
      {"explicit wins over a long interval",
       "interval_seconds: 300, metrics_refresh_seconds: 120", seconds(120)},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::string sep = tc.keys.empty() ? "" : ", ";
    auto c = ParseScalerConfig("{" + tc.keys + sep + "groups: [{name: a}]}",
                               "t.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(MetricsRefresh(c->metrics_refresh, c->interval), tc.refresh);
    BacktestOptions o;
    ASSERT_TRUE(
        ParseBacktestConfig("world: {" + tc.keys + "}", "bt.yaml", &o).ok());
    EXPECT_EQ(MetricsRefresh(o.metrics_refresh, o.interval), tc.refresh);
  }
}

TEST(ConfigTest, SettingsAreTheNamedPolicysOwnAndTyped) {
  auto c = ParseScalerConfig(
      "groups:\n  - name: a\n    policy: predictive\n    target: 45\n"
      "    predictive: {slo: {max_underprovisioned_pct: 0.8}, tracking: "
      "{scale_in_points: 5}}\n"
      "  - name: b\n    seed: {fallback: reactive, reactive: "
      "{scale_down_points: 3}}\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const PolicyConfig& a = c->groups[0].policy;
  EXPECT_EQ(a.name(), "predictive");
  EXPECT_EQ(a.target.value, 45);
  ASSERT_NE(a.settings_as<PredictiveConfig>(), nullptr);
  EXPECT_EQ(a.settings_as<PredictiveConfig>()->slo.max_underprovisioned_pct,
            0.8);
  EXPECT_EQ(a.settings_as<PredictiveConfig>()->tracking.scale_in_points, 5);
  EXPECT_EQ(a.settings_as<PredictiveConfig>()->boot_time, seconds(300))
      << "what is not given keeps its default";
  const PolicyConfig& b = c->groups[1].policy;
  EXPECT_EQ(b.name(), "seed") << "the default policy";
  ASSERT_NE(b.settings_as<SeedPolicyConfig>(), nullptr);
  EXPECT_EQ(b.settings_as<SeedPolicyConfig>()->fallback, "reactive");
  EXPECT_EQ(b.settings_as<SeedPolicyConfig>()->reactive.scale_down_points, 3);
}

}  // namespace
}  // namespace phas
