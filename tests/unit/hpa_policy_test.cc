// The Kubernetes HPA algorithm (decision/hpa_policy.h).
#include "decision/hpa_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::kNow;
using phas::testing::Signal;
using phas::testing::Sized;
using std::chrono::seconds;

TEST(HpaTest, Table) {
  struct Case {
    const char* name;
    // inputs
    double cpu;
    int ready;
    GroupView group;
    std::vector<std::pair<int, int>> history;  // (seconds ago, recommendation)
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"within 10% tolerance: no change",
       65,
       4,
       Sized(4),
       {},
       4,
       "hpa_within_tolerance"},
      {"ceil(ready x m / t)", 90, 4, Sized(4), {}, 6, "hpa_scale_up"},
      {"scale-up limit max(2n, n+4): n=2 -> 6",
       100 * 10,
       2,
       Sized(2),
       {},
       6,
       "hpa_scale_up_limited"},
      {"scale-up limit max(2n, n+4): n=10 -> 20",
       300,
       10,
       Sized(10),
       {},
       20,
       "hpa_scale_up_limited"},
      {"unready instances count as 0 on scale-up",
       90,
       4,
       Sized(6, 2),
       {},
       6,
       "hpa_unready_cover"},
      {"scale down when every recent recommendation agrees",
       30,
       4,
       Sized(4),
       {{200, 2}, {100, 2}},
       2,
       "hpa_scale_down"},
      {"stabilization: highest of the last 300 s",
       30,
       4,
       Sized(4),
       {{250, 4}, {100, 3}},
       4,
       "hpa_stabilized"},
      {"older than the window is forgotten",
       30,
       4,
       Sized(4),
       {{400, 4}, {100, 3}},
       3,
       "hpa_stabilized"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    HpaPolicy p({}, {});
    HpaState s;
    for (auto [ago, r] : tc.history) {
      s.recommendations.emplace_back(kNow - seconds(ago), r);
    }
    Proposal out =
        p.Propose(Signal({tc.cpu}, tc.group, tc.ready), PolicyState::Of(s));
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
  }
}

// A recommendation timed after now (the clock went back an hour) holds
// scale-in for one window from now, not for the hour as well.
TEST(HpaTest, ARecommendationAfterNowCountsFromNow) {
  HpaPolicy p({}, {});
  HpaState s;
  s.recommendations.emplace_back(kNow + std::chrono::hours(1), 4);
  Proposal first = p.Propose(Signal({30}, Sized(4), 4), PolicyState::Of(s));
  EXPECT_EQ(first.target, 4) << first.reason;
  Observation later = Signal({30}, Sized(4), 4);
  later.now = kNow + seconds(301);
  Proposal second = p.Propose(later, first.if_held);
  EXPECT_EQ(second.target, 2) << second.reason;  // its raw recommendation
}

}  // namespace
}  // namespace phas
