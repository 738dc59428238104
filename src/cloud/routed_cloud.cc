#include "cloud/routed_cloud.h"

#include <algorithm>

namespace phas {

Cloud* RoutedCloud::ForGroup(const std::string& group) {
  auto it = routes_.find(group);
  return it == routes_.end() ? fallback_ : it->second->ForGroup(group);
}

Result<std::vector<GroupDescription>> RoutedCloud::DescribeGroups(
    const std::vector<std::string>& names) {
  using Part = std::pair<Cloud*, std::vector<std::string>>;
  std::vector<Part> parts;
  for (const std::string& name : names) {
    Cloud* c = ForGroup(name);
    auto it = std::find_if(parts.begin(), parts.end(),
                           [c](const auto& p) { return p.first == c; });
    if (it == parts.end()) it = parts.insert(parts.end(), Part{c, {}});
    it->second.push_back(name);
  }
  // No names: the default Cloud's answer (every group it sees).
  if (parts.empty()) return fallback_->DescribeGroups(names);
  std::vector<GroupDescription> out;
  for (const auto& [cloud, part] : parts) {
    PHAS_ASSIGN_OR_RETURN(std::vector<GroupDescription> got,
                          cloud->DescribeGroups(part));
    for (GroupDescription& d : got) out.push_back(std::move(d));
  }
  return out;
}

Duration RoutedCloud::MaxActionLatency() const {
  Duration longest = fallback_->MaxActionLatency();
  for (const auto& [group, cloud] : routes_) {
    longest = std::max(longest, cloud->MaxActionLatency());
  }
  return longest;
}

}  // namespace phas
