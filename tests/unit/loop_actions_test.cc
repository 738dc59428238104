// The loop's actions end to end on SimCloud and virtual time: the cooldown
// runs from when an action returned, and from an action whose outcome is
// unknown; what the log and the record name when the cooldown, a step
// limit or a missing group holds the policy.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "loop_test_util.h"
#include "scaler/scaler.h"

namespace phas {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::kStart;
using testing::LoopTest;
using testing::Until;

// Carried-out SetDesiredCapacity calls, timed when they returned. The call
// takes `takes[i]` of the clock for the i-th call (cycling), and answers
// `answer` (after carrying the change out).
class SlowCloud final : public ForwardingCloud {
 public:
  SlowCloud(Cloud* inner, ManualClock* clock)
      : ForwardingCloud(inner), clock_(clock) {}
  Status SetDesiredCapacity(const std::string& g, int d) override {
    Status st = ForwardingCloud::SetDesiredCapacity(g, d);
    clock_->Advance(takes[calls++ % takes.size()]);
    if (st.ok()) carried_out.push_back(clock_->Now());
    return st.ok() ? answer : st;
  }
  std::vector<Duration> takes = {Duration::zero()};
  Status answer;
  int calls = 0;
  std::vector<TimePoint> carried_out;

 private:
  ManualClock* clock_;
};

void ExpectApart(const std::vector<TimePoint>& times, Duration cooldown) {
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_GE(times[i] - times[i - 1], cooldown)
        << "carried-out actions " << i - 1 << " and " << i;
  }
}

// A call that took 25 s of retries starts its cooldown when it returned, not
// when the cycle began: the next (fast) call comes a whole cooldown later.
TEST_F(LoopTest, TheCooldownRunsFromWhenTheActionReturned) {
  auto sim = Cloud1(1, 40, 2, 1.0);
  SlowCloud cloud(sim.get(), &clock_);
  cloud.takes = {seconds(25), seconds(0)};
  GroupConfig g = Group();
  g.policy.cooldown = seconds(60);
  Scaler scaler({g}, {},
                Env(&cloud, &clock_, &predictor_, nullptr, false, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  while (clock_.Now() < kStart + minutes(20)) {
    scaler.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  ASSERT_GE(cloud.carried_out.size(), 8u);
  ExpectApart(cloud.carried_out, seconds(60));
}

// A call that timed out after AWS carried it out may have acted: the
// cooldown starts all the same, and the outcome is reported as unknown.
TEST_F(LoopTest, AnUnknownOutcomeStartsTheCooldown) {
  auto sim = Cloud1(1, 40, 2, 1.0);
  SlowCloud cloud(sim.get(), &clock_);
  cloud.takes = {seconds(12)};
  cloud.answer = Status::DeadlineExceeded(
                     "autoscaling SetDesiredCapacity: "
                     "operation timed out")
                     .WithDetail("timeout")
                     .WithOutcomeUnknown();
  GroupConfig g = Group();
  g.policy.cooldown = seconds(60);
  Scaler scaler({g}, {},
                Env(&cloud, &clock_, &predictor_, nullptr, true, true));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  while (clock_.Now() < kStart + minutes(10)) {
    scaler.RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  ASSERT_GE(cloud.carried_out.size(), 3u);
  ExpectApart(cloud.carried_out, seconds(60));
  EXPECT_NE(Log().find("SetDesiredCapacity failed (it may have been carried "
                       "out: the cooldown starts all the same)"),
            std::string::npos);
  EXPECT_NE(metrics_.Render().find("result=\"unknown\""), std::string::npos);
}

// A blocked scale-up of the step policy says "up" (the loop once guessed the
// direction from the reason code's words: "step_out" read as a scale-down).
TEST_F(LoopTest, TheCooldownLineNamesTheWayThePolicyWanted) {
  auto sim = Cloud1(1, 10, 2, 2.5);  // 100 % CPU: 30 points over, step +3
  auto store = OpenStore();
  GroupState saved;  // a restart just after an action
  saved.guard.last_action = kStart;
  ASSERT_TRUE(store->Save("web", "step", saved).ok());
  GroupConfig g = Group("step");
  g.policy.cooldown = minutes(10);
  Scaler scaler({g}, {},
                Env(sim.get(), &clock_, nullptr, store.get(), true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(5)));
  std::string log = Log();
  EXPECT_NE(log.find("Scale up needed but in cooldown period"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("Scale down needed"), std::string::npos);
  EXPECT_NE(log.find("; wanted 2 -> 5, cooldown 600 s ("), std::string::npos);
}

// A guard rule that moves the policy's target is named in the DECISION line
// and the JSON record; the original's line stays as it was.
TEST_F(LoopTest, AStepLimitIsNamedInTheDecisionAndTheRecord) {
  auto sim = Cloud1(1, 10, 2, 2.5);  // 100 % CPU: 30 points over, step +3
  GroupConfig g = Group("step");
  g.policy.max_step_up = 1;
  Scaler scaler({g}, {},
                Env(sim.get(), &clock_, nullptr, nullptr, true, false));
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  auto r = RunVirtualTime(scaler, *sim, clock_, Until(kStart + minutes(5)));
  ASSERT_FALSE(r[0].actions.empty());
  EXPECT_EQ(r[0].actions[0].to, 3);
  std::string log = Log();
  EXPECT_NE(log.find("- INFO - [web] - SCALING UP: 2 -> 3 instances\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("; wanted 2 -> 5, step limit +1: 2 -> 3\n"),
            std::string::npos)
      << log;
  std::ifstream in(dir_ / "out" / "ec2_metrics_data.jsonl");
  std::string line, acted;
  while (std::getline(in, line) && acted.empty()) {
    if (line.find("\"kind\":\"scale_up\"") != std::string::npos) acted = line;
  }
  EXPECT_NE(acted.find("\"clamped_by\":[\"step_up\"]"), std::string::npos)
      << acted;
  EXPECT_NE(acted.find("\"proposed\":5"), std::string::npos) << acted;
  EXPECT_NE(acted.find("wanted 2 -> 5, step limit +1: 2 -> 3\""),
            std::string::npos)
      << acted;
}

// A group that does not exist is named with the region it was looked for in.
TEST_F(LoopTest, AMissingGroupIsNamedWithItsRegion) {
  auto sim = Cloud1(1, 10, 2, 1.0);
  LogReporter log(rec_.get(), "eu-west-1");
  GroupConfig g = Group("reactive");
  g.name = "asg-bar";
  Scaler scaler({g}, {},
                {.cloud = sim.get(), .clock = &clock_, .reporter = &log});
  ASSERT_TRUE(scaler.Init(clock_.Now()).ok());
  CycleReport r = scaler.RunOnce(clock_.Now());
  rec_->Flush();
  EXPECT_FALSE(r.groups[0].found);
  EXPECT_NE(Log().find("ASG asg-bar not found in region eu-west-1"),
            std::string::npos);
}

}  // namespace
}  // namespace phas
