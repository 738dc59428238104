// AwsFleet: the Cloud of a fleet whose groups may each name an IAM role (a
// scaler config's groups[].role_arn, for groups in other accounts): an
// AwsCloud over the process's own session for the groups without one, and
// an AwsCloud over a session of each distinct role (AwsSession::AssumeRole:
// STS AssumeRole signed with the process's credentials, refreshed before
// expiry), behind a RoutedCloud. Groups naming the same role alike share its
// session: its credentials are fetched once, and the loop's describe and
// metric requests are one per role (Cloud::ForGroup). With no roles the
// fleet is the process's AwsCloud alone, as before.
//
// Thread-safety: as AwsCloud; set_observer before use.
#ifndef PHAS_CLOUD_AWS_FLEET_H_
#define PHAS_CLOUD_AWS_FLEET_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/session.h"
#include "cloud/aws_cloud.h"
#include "cloud/routed_cloud.h"

namespace phas {

// A group and the role its calls are made as (role_arn empty: none).
using GroupRoles = std::vector<std::pair<std::string, aws::AssumeRoleConfig>>;

class AwsFleet {
 public:
  // `session` (the process's own) must outlive this. Each role's origin,
  // for messages, becomes "role_arn of group(s) <names>".
  AwsFleet(aws::AwsSession* session, const GroupRoles& roles,
           aws::RetryOptions retry = {});

  Cloud* cloud() { return &routed_; }
  // The distinct roles, each with the groups that name it.
  struct Role {
    aws::AssumeRoleConfig config;
    std::vector<std::string> groups;
    std::unique_ptr<aws::AwsSession> session;
    std::unique_ptr<AwsCloud> cloud;
  };
  const std::vector<Role>& roles() const { return roles_; }
  // Reports every call of every session (the roles' AssumeRole included).
  void set_observer(const aws::CallObserver& observer);

 private:
  aws::AwsSession* session_;
  AwsCloud own_;
  RoutedCloud routed_;
  std::vector<Role> roles_;
};

}  // namespace phas

#endif  // PHAS_CLOUD_AWS_FLEET_H_
