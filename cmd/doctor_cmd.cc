// `phas doctor`: checks credentials, region, endpoints and permissions, and
// with --config every configured group.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "aws/doctor.h"
#include "aws/dynamodb.h"
#include "aws/environment.h"
#include "aws/session.h"
#include "cloud/aws_cloud.h"
#include "cmd/commands.h"
#include "cmd/group_source.h"
#include "common/clock.h"
#include "scaler/config.h"
#include "scaler/dynamo_ha.h"

namespace phas {
namespace {

struct DoctorFlags {
  std::string region;
  std::string config;
  aws::DoctorOptions doctor;
  std::string ha_table;  // the config's ha.dynamodb_table ("" without ha:)
};

// Replicas (`ha:`): the lease table exists and phas may describe it, as
// `phas scaler` checks at start (scaler/dynamo_ha.h CheckHaTable).
aws::DoctorCheck HaTableCheck(aws::AwsSession& session,
                              const std::string& table) {
  aws::DynamoDbClient db(session.client(aws::Service::kDynamoDb));
  Status st = CheckHaTable(&db, table);
  return {"dynamodb:DescribeTable",
          st.ok() ? aws::DoctorCheck::Result::kOk
                  : aws::DoctorCheck::Result::kFailed,
          st.ok() ? "ha.dynamodb_table " + table + ": ACTIVE" : st.message()};
}

// The AWS options and the groups to check: the flags over the scaler's
// config when there is one.
Result<aws::AwsOptions> Prepare(DoctorFlags* f) {
  aws::AwsOptions opts;
  if (!f->config.empty()) {
    PHAS_ASSIGN_OR_RETURN(ScalerConfig c, LoadScalerConfig(f->config));
    // What the daemon refuses at start (a name twice, a policy it cannot
    // run, a predictor_url that is no URL), the pre-flight check refuses
    // too: it passed such a file. A file without groups is for `phas
    // scaler --group`: checked with one group in their place.
    ScalerConfig checked = c;
    if (checked.groups.empty()) {
      checked.groups.emplace_back();
      checked.groups.back().name = "(--group)";
    }
    PHAS_RETURN_IF_ERROR(ValidateScalerConfig(checked, f->config));
    opts = AwsOptionsOf(c, f->config);
    f->doctor.config_path = f->config;
    if (c.ha) f->ha_table = c.ha->dynamodb_table;
    for (const GroupConfig& g : c.groups) {
      aws::DoctorGroup d;
      d.name = g.name;
      d.memory_enabled = g.memory.enabled;
      if (g.memory.enabled && !ReadsAllMetrics(g)) {
        d.memory_not_read =
            "instance_metrics is used and the policy asks no model (the "
            "memory metric is a model input; instance_metrics: all reads it)";
      }
      d.memory_namespace = g.memory.ns;
      d.memory_name = g.memory.name;
      d.memory_dimensions = g.memory.dimensions;
      d.signal = g.signal.name();
      d.role = g.role;
      d.aws_policies = AwsPolicySharingName(g.aws_policies);
      SignalQueries sq = g.signal.GroupQueries("sig_", 60);
      d.signal_load_id = sq.load_id;
      for (const MetricQuery& q : sq.queries) {
        d.signal_queries.push_back(ToAwsQuery(q));
      }
      SignalQueries hq = g.signal.HistoryQueries(g.name, 3600);
      for (const MetricQuery& q : hq.queries) {
        d.history_queries.push_back(ToAwsQuery(q));
      }
      d.history_load_id = hq.load_id;
      for (const MetricQuery& q : hq.queries) {
        if (q.id == hq.load_id) {
          d.history_metric =
              q.expression.empty()
                  ? fmt::format("{} {} {}", q.ns, q.metric_name, q.stat)
                  : "the load expression";
          std::vector<std::string> dims;
          for (const MetricDimension& m : q.dimensions) dims.push_back(m.name);
          if (!dims.empty()) {
            d.history_metric += fmt::format(" by {}", fmt::join(dims, ", "));
          }
        }
      }
      f->doctor.groups.push_back(std::move(d));
    }
  }
  if (!f->region.empty()) {
    opts.region = f->region;
    opts.region_source = "--region";
  }
  return opts;
}

}  // namespace

void RegisterDoctorCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DoctorFlags>();
  CLI::App* cmd = app.add_subcommand("doctor",
                                     "Check AWS credentials, region, endpoints "
                                     "and every permission phas needs");
  cmd->add_option("--region", flags->region,
                  "AWS region (default: the config's region, then the SDK "
                  "resolution order)");
  cmd->add_option("--config", flags->config,
                  "Scaler config: also check each of its groups (its role "
                  "assumed, found, CPU at 1-minute resolution, memory "
                  "metric)");
  cmd->add_option("--asg", flags->doctor.asg, "Auto Scaling group to check");
  cmd->add_flag("--check-write", flags->doctor.check_write,
                "Also call SetDesiredCapacity, with the group's current "
                "desired capacity");
  cmd->callback([flags, exit_code] {
    SystemClock clock;
    auto opts = Prepare(flags.get());
    if (!opts.ok()) {
      *exit_code = ReportError(opts.status());
      return;
    }
    auto session =
        aws::AwsSession::Create(*opts, aws::ProcessEnvironment(), &clock);
    if (!session.ok()) {
      *exit_code = ReportError(session.status());
      return;
    }
    aws::DoctorReport rep = aws::RunDoctor(**session, flags->doctor, &clock);
    if (!flags->ha_table.empty()) {
      rep.checks.push_back(HaTableCheck(**session, flags->ha_table));
    }
    std::fputs(rep.ToText().c_str(), stdout);
    *exit_code = rep.ok() ? kExitOk : kExitFailure;
  });
}

}  // namespace phas
