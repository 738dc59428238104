// AWS predictive scaling's stand-in (decision/aws_predictive_policy.h).
#include "decision/aws_predictive_policy.h"

#include <gtest/gtest.h>

#include "decision_test_util.h"

namespace phas {
namespace {

using phas::testing::Signal;
using phas::testing::Sized;
using std::chrono::minutes;

const TimePoint kMidnight = FromUnixSeconds(1767225600);  // 2026-01-01T00:00Z

// A day-shaped load: `base` instance-units, `peak` from 12:00 to 14:00.
std::shared_ptr<std::vector<MetricSample>> Days(int days, double base,
                                                double peak) {
  auto h = std::make_shared<std::vector<MetricSample>>();
  for (int m = days * kMinutesPerDay; m > 0; --m) {
    TimePoint t = kMidnight - minutes(m);
    int hour = static_cast<int>((ToUnixSeconds(t) / 3600)) % 24;
    h->push_back({t, hour >= 12 && hour < 14 ? peak : base, 1});
  }
  return h;
}

TEST(AwsPredictiveTest, Table) {
  struct Case {
    const char* name;
    // inputs
    int history_days;
    double hours_ahead;  // the observation's time, relative to midnight
    // expected
    int target;
    std::string code;
  };
  const Case cases[] = {
      {"under 24 h of history: target tracking only", 0, 11.9, 4, "ap_tt_ok"},
      // 11:54: hour 12 starts at 11:55
      {"before the buffer: no floor yet", 3, 11.9, 4, "ap_tt_ok"},
      // 11:57
      {"from H - 300 s the forecast of hour H applies", 3, 11.95, 10,
       "ap_forecast"},
      {"never scales in by itself: floor stays under current", 3, 15.0, 4,
       "ap_tt_ok"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    AwsPredictivePolicy p({}, {});
    TimePoint now = kMidnight + std::chrono::duration_cast<Duration>(
                                    Seconds(tc.hours_ahead * 3600));
    Observation o = Signal({55}, Sized(4), 4, now);
    o.load_history = Days(tc.history_days, 1.2, 6.0);
    Proposal out = p.Propose(o, p.NewState());
    EXPECT_EQ(out.target, tc.target) << out.reason;
    EXPECT_EQ(out.code.ToString(), tc.code) << out.reason;
  }
}

}  // namespace
}  // namespace phas
