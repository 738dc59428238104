// MotoServer: a moto server of the test's own on a free loopback port, with
// IAM enforced (INITIAL_NO_AUTH_ACTION_COUNT=3: the first world build
// creates an admin with its three unauthenticated calls; every later request
// is signature-checked and authorized). Stopped when the object dies.
// It runs through tests/integration/moto_server_ext.py, which answers the
// call phas makes that moto 5.2.1 lacks (DescribeInstanceRefreshes: no
// refresh, or what AnswerRecorded put) and the scaling activities moto never
// has (DescribeScalingActivities: what AnswerRecorded put, else moto's),
// after moto's own IAM check.
#ifndef PHAS_TESTS_INTEGRATION_MOTO_FIXTURE_H_
#define PHAS_TESTS_INTEGRATION_MOTO_FIXTURE_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/query_client.h"
#include "common/clock.h"
#include "process_util.h"

namespace phas::testing {

class MotoServer {
 public:
  // enforce_iam=false starts moto without authentication (for the one flow
  // moto cannot serve with it on: unsigned STS AssumeRoleWithWebIdentity).
  explicit MotoServer(bool enforce_iam = true);
  ~MotoServer();
  // Empty when the server runs; otherwise why it does not.
  const std::string& error() const { return error_; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  // Runs tests/integration/moto_world.py: a launch template, a group, metric
  // data, and an IAM user limited to `policy_path`. Returns its JSON (keys
  // region, asg, instances, phas{AccessKeyId,SecretAccessKey}, admin{...}),
  // or null with error() set.
  nlohmann::json BuildWorld(const std::string& policy_path,
                            const std::string& asg,
                            const std::vector<std::string>& extra_args = {});

  // From now on, answers `action` for `group` (the page after
  // `next_token`, when given) with the recorded response
  // testdata/<testdata_file>; an empty file name goes back to the default.
  // Only the actions moto_server_ext.py serves (DescribeInstanceRefreshes,
  // DescribeScalingActivities).
  bool AnswerRecorded(const std::string& action, const std::string& group,
                      const std::string& testdata_file,
                      const std::string& next_token = "");

  // Environment for a phas process that talks to this server as `key`.
  std::map<std::string, std::string> EnvFor(const nlohmann::json& key,
                                            const std::string& home) const;

 private:
  bool enforce_iam_ = true;
  int port_ = 0;
  std::string log_;
  std::string recorded_;  // the directory moto_server_ext.py answers from
  std::unique_ptr<ChildProcess> proc_;
  nlohmann::json admin_;
  std::string error_;
};

// The repository's least-privilege policy.
std::string DeployPolicyPath();

// Writes to `path` the statements of DeployPolicyPath() whose Sid starts
// with one of `sid_prefixes` (a command's own: "Scaler", "Doctor", ...),
// each passed through `edit` when given; returns `path`. A test that holds
// only them shows each call the command makes is in its own statements.
std::string WriteDeployStatements(
    const std::vector<std::string>& sid_prefixes, const std::string& path,
    const std::function<void(nlohmann::json&)>& edit = {});

// Publishes, as EC2 would, one datapoint at `now` of CPUUtilization (55 %),
// NetworkIn and NetworkOut (5 MB) for each instance (PutMetricData through
// `cw`, a CloudWatch client). Best effort.
void PutInstanceMetrics(aws::QueryClient& cw,
                        const std::vector<std::string>& instance_ids,
                        TimePoint now);

}  // namespace phas::testing

#endif  // PHAS_TESTS_INTEGRATION_MOTO_FIXTURE_H_
