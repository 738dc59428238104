#include "cloud/aws_fleet.h"

#include <fmt/format.h>

#include <algorithm>

namespace phas {

AwsFleet::AwsFleet(aws::AwsSession* session, const GroupRoles& roles,
                   aws::RetryOptions retry)
    : session_(session), own_(session, retry), routed_(&own_) {
  for (const auto& [group, config] : roles) {
    if (config.role_arn.empty()) continue;
    auto it = std::find_if(roles_.begin(), roles_.end(), [&](const Role& r) {
      return aws::SameRole(r.config, config);
    });
    if (it == roles_.end()) it = roles_.insert(roles_.end(), Role{config});
    it->groups.push_back(group);
  }
  for (Role& r : roles_) {
    r.config.origin =
        fmt::format("role_arn of group{} {}", r.groups.size() > 1 ? "s" : "",
                    fmt::join(r.groups, ", "));
    r.session = session_->AssumeRole(r.config);
    r.cloud = std::make_unique<AwsCloud>(r.session.get(), retry);
    for (const std::string& g : r.groups) routed_.Route(g, r.cloud.get());
  }
}

void AwsFleet::set_observer(const aws::CallObserver& observer) {
  session_->set_observer(observer);
  for (Role& r : roles_) r.session->set_observer(observer);
}

}  // namespace phas
