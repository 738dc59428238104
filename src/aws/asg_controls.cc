#include "aws/asg_controls.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "aws/xml.h"

namespace phas::aws {
namespace {

// Typed values of one element of an answer; errors name `where_`
// ("DescribeScheduledActions: action 'night'") and the element.
class Fields {
 public:
  Fields(pugi::xml_node node, std::string where)
      : node_(node), where_(std::move(where)) {}
  Status Bad(const std::string& path, const std::string& value,
             const char* want) const {
    return Status::Corruption(
        fmt::format("{}: {} '{}' is not {}", where_, path, value, want));
  }
  Result<std::optional<int>> Int(const std::string& path) const {
    std::string s = Text(node_, path);
    if (s.empty()) return std::optional<int>();
    int v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
      return Bad(path, s, "an integer");
    return std::optional<int>(v);
  }
  Result<std::optional<TimePoint>> Time(const std::string& path) const {
    std::string s = Text(node_, path);
    if (s.empty()) return std::optional<TimePoint>();
    TimePoint t;
    if (!ParseIso8601(s, &t)) return Bad(path, s, "an ISO 8601 time");
    return std::optional<TimePoint>(t);
  }

 private:
  pugi::xml_node node_;
  std::string where_;
};

// Calls `action` for `group` page by page (MaxRecords `page`), handing each
// page's result element to `read`, until the answer has no NextToken or
// `more` says enough.
template <typename Read, typename More>
Status Paginate(QueryClient& client, const char* action,
                const std::string& group, int page, Read read, More more) {
  std::string result_name = std::string(action) + "Result";
  std::string token;
  Paging paging(std::string("autoscaling ") + action);
  do {
    QueryParams p = {{"AutoScalingGroupName", group},
                     {"MaxRecords", std::to_string(page)}};
    if (!token.empty()) p.emplace_back("NextToken", token);
    PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client.Call(action, p));
    pugi::xml_node result = Find(*doc, result_name.c_str());
    PHAS_RETURN_IF_ERROR(read(result));
    std::string next = Text(result, "NextToken");
    PHAS_RETURN_IF_ERROR(paging.Next(token, next));
    token = std::move(next);
  } while (!token.empty() && more());
  return Status::OK();
}

Result<ScheduledAction> ParseScheduled(pugi::xml_node m) {
  ScheduledAction a;
  a.name = Text(m, "ScheduledActionName");
  a.recurrence = Text(m, "Recurrence");
  Fields f(m, fmt::format("DescribeScheduledActions: action '{}'", a.name));
  PHAS_ASSIGN_OR_RETURN(a.start_time, f.Time("StartTime"));
  PHAS_ASSIGN_OR_RETURN(a.end_time, f.Time("EndTime"));
  PHAS_ASSIGN_OR_RETURN(a.min_size, f.Int("MinSize"));
  PHAS_ASSIGN_OR_RETURN(a.max_size, f.Int("MaxSize"));
  PHAS_ASSIGN_OR_RETURN(a.desired_capacity, f.Int("DesiredCapacity"));
  return a;
}

Result<InstanceRefreshInfo> ParseRefresh(pugi::xml_node m) {
  InstanceRefreshInfo r;
  r.id = Text(m, "InstanceRefreshId");
  r.status = Text(m, "Status");
  r.status_reason = Text(m, "StatusReason");
  Fields f(m, fmt::format("DescribeInstanceRefreshes: refresh '{}'", r.id));
  PHAS_ASSIGN_OR_RETURN(r.start_time, f.Time("StartTime"));
  PHAS_ASSIGN_OR_RETURN(r.end_time, f.Time("EndTime"));
  PHAS_ASSIGN_OR_RETURN(std::optional<int> pct, f.Int("PercentageComplete"));
  PHAS_ASSIGN_OR_RETURN(std::optional<int> left, f.Int("InstancesToUpdate"));
  r.percentage_complete = pct.value_or(0);
  r.instances_to_update = left.value_or(0);
  return r;
}

}  // namespace

bool InstanceRefreshInfo::in_progress() const {
  return status == "Pending" || status == "InProgress" ||
         status == "Cancelling" || status == "RollbackInProgress" ||
         status == "Baking";
}

const InstanceRefreshInfo* ActiveRefresh(
    const std::vector<InstanceRefreshInfo>& refreshes) {
  for (const InstanceRefreshInfo& r : refreshes) {
    if (r.in_progress()) return &r;
  }
  return nullptr;
}

Result<std::vector<ScheduledAction>>
AutoScalingControlsApi::DescribeScheduledActions(const std::string& group) {
  std::vector<ScheduledAction> out;
  PHAS_RETURN_IF_ERROR(Paginate(
      *client_, "DescribeScheduledActions", group, 100,
      [&](pugi::xml_node result) -> Status {
        for (pugi::xml_node m :
             Members(result, "ScheduledUpdateGroupActions")) {
          PHAS_ASSIGN_OR_RETURN(ScheduledAction a, ParseScheduled(m));
          out.push_back(std::move(a));
        }
        return Status::OK();
      },
      [] { return true; }));
  return out;
}

Result<std::optional<WarmPoolInfo>> AutoScalingControlsApi::DescribeWarmPool(
    const std::string& group) {
  std::optional<WarmPoolInfo> out;
  PHAS_RETURN_IF_ERROR(Paginate(
      *client_, "DescribeWarmPool", group, 50,
      [&](pugi::xml_node result) -> Status {
        pugi::xml_node c = Child(result, "WarmPoolConfiguration");
        if (c && !out) {
          out.emplace();
          Fields f(c, "DescribeWarmPool: WarmPoolConfiguration");
          PHAS_ASSIGN_OR_RETURN(std::optional<int> min, f.Int("MinSize"));
          out->min_size = min.value_or(0);
          PHAS_ASSIGN_OR_RETURN(out->max_group_prepared_capacity,
                                f.Int("MaxGroupPreparedCapacity"));
          out->pool_state = Text(c, "PoolState");
          out->status = Text(c, "Status");
        }
        if (!out) return Status::OK();
        for (pugi::xml_node m : Members(result, "Instances")) {
          out->instance_states.push_back(Text(m, "LifecycleState"));
        }
        return Status::OK();
      },
      [] { return true; }));
  return out;
}

Result<std::vector<InstanceRefreshInfo>>
AutoScalingControlsApi::DescribeInstanceRefreshes(const std::string& group,
                                                  int max) {
  std::vector<InstanceRefreshInfo> out;
  PHAS_RETURN_IF_ERROR(Paginate(
      *client_, "DescribeInstanceRefreshes", group, std::clamp(max, 1, 100),
      [&](pugi::xml_node result) -> Status {
        for (pugi::xml_node m : Members(result, "InstanceRefreshes")) {
          if (static_cast<int>(out.size()) == max) break;
          PHAS_ASSIGN_OR_RETURN(InstanceRefreshInfo r, ParseRefresh(m));
          out.push_back(std::move(r));
        }
        return Status::OK();
      },
      [&] { return static_cast<int>(out.size()) < max; }));
  return out;
}

Result<std::vector<LifecycleHookInfo>>
AutoScalingControlsApi::DescribeLifecycleHooks(const std::string& group) {
  PHAS_ASSIGN_OR_RETURN(XmlDoc doc,
                        client_->Call("DescribeLifecycleHooks",
                                      {{"AutoScalingGroupName", group}}));
  std::vector<LifecycleHookInfo> out;
  for (pugi::xml_node m :
       Members(Find(*doc, "DescribeLifecycleHooksResult"), "LifecycleHooks")) {
    LifecycleHookInfo h;
    h.name = Text(m, "LifecycleHookName");
    h.transition = Text(m, "LifecycleTransition");
    h.default_result = Text(m, "DefaultResult");
    Fields f(m, fmt::format("DescribeLifecycleHooks: hook '{}'", h.name));
    PHAS_ASSIGN_OR_RETURN(std::optional<int> t, f.Int("HeartbeatTimeout"));
    h.heartbeat_timeout = t.value_or(0);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace phas::aws
