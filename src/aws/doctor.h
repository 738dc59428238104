// `phas doctor`: can this process do its job against AWS? Says where the
// credentials came from (never the secret), the region and the endpoints,
// and tries each call phas makes, naming any missing permission by its IAM
// action ("cloudwatch:GetMetricData").
//
// Thread-safety: single-threaded use.
#ifndef PHAS_AWS_DOCTOR_H_
#define PHAS_AWS_DOCTOR_H_

#include <string>
#include <vector>

#include "aws/session.h"

namespace phas::aws {

struct DoctorOptions {
  std::string asg;  // group to check; empty: account-wide reads only
  bool check_write =
      false;  // also call SetDesiredCapacity with the current value
};

struct DoctorCheck {
  enum class Result { kOk, kFailed, kSkipped };
  std::string iam_action;  // "autoscaling:DescribeAutoScalingGroups"
  Result result = Result::kSkipped;
  std::string detail;
};

struct DoctorReport {
  std::string credentials_source;
  std::string access_key_hint;  // "AKIA…Y4H": enough to tell keys apart
  std::string region, region_source;
  std::vector<std::pair<std::string, std::string>>
      endpoints;  // service, "url (source)"
  std::vector<DoctorCheck> checks;
  bool ok() const;
  std::string ToText() const;
};

DoctorReport RunDoctor(AwsSession& session, const DoctorOptions& options,
                       Clock* clock);

// The IAM action for a Query call: cloudwatch for the "monitoring" endpoint.
std::string IamActionName(const std::string& service,
                          const std::string& action);

}  // namespace phas::aws

#endif  // PHAS_AWS_DOCTOR_H_
