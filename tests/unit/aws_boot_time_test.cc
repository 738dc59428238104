// BootTimeFromActivities (aws/boot_time.h): which activities count as
// launches, and their median duration.
#include <gtest/gtest.h>

#include "aws/boot_time.h"

namespace phas::aws {
namespace {

using std::chrono::seconds;

const TimePoint kT0 = FromUnixSeconds(1767225600);  // 2026-01-01T00:00Z

ScalingActivity Activity(const std::string& description,
                         const std::string& status,
                         std::optional<int> took_seconds) {
  ScalingActivity a;
  a.description = description;
  a.status_code = status;
  a.start_time = kT0;
  if (took_seconds) a.end_time = kT0 + seconds(*took_seconds);
  return a;
}

ScalingActivity Launch(int took_seconds) {
  return Activity("Launching a new EC2 instance: i-0aaa", "Successful",
                  took_seconds);
}

TEST(BootTimeTest, Table) {
  struct Case {
    const char* name;
    std::vector<ScalingActivity> activities;
    // expected
    std::optional<Duration> median;
    int launches;
  };
  const Case cases[] = {
      {"none", {}, std::nullopt, 0},
      {"one launch", {Launch(130)}, seconds(130), 1},
      {"odd count: the middle one",
       {Launch(300), Launch(100), Launch(120)},
       seconds(120),
       3},
      {"even count: the mean of the middle two",
       {Launch(100), Launch(400), Launch(120), Launch(140)},
       seconds(130),
       4},
      {"an outlier moves the median by one rank only",
       {Launch(90), Launch(95), Launch(3600)},
       seconds(95),
       3},
      {"terminations, failures and launches in progress are left out",
       {Launch(100),
        Activity("Terminating EC2 instance: i-0bbb", "Successful", 60),
        Activity("Launching a new EC2 instance.  Status Reason: "
                 "insufficient capacity",
                 "Failed", 2),
        Activity("Launching a new EC2 instance: i-0ccc", "Cancelled", 50),
        Activity("Launching a new EC2 instance: i-0ddd", "InProgress",
                 std::nullopt),
        Activity("Launching a new EC2 instance: i-0eee", "Successful",
                 std::nullopt)},
       seconds(100),
       1},
      {"launches into a warm pool are left out",
       {Launch(100),
        Activity("Launching a new EC2 instance into warm pool: i-0fff",
                 "Successful", 900)},
       seconds(100),
       1},
      {"an end before the start is left out",
       {Launch(100), Launch(-5)},
       seconds(100),
       1},
      {"only non-launches: none",
       {Activity("Terminating EC2 instance: i-0bbb", "Successful", 60)},
       std::nullopt,
       0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::optional<BootTime> got = BootTimeFromActivities(tc.activities);
    ASSERT_EQ(got.has_value(), tc.median.has_value());
    if (!got) continue;
    EXPECT_EQ(got->median, *tc.median);
    EXPECT_EQ(got->launches, tc.launches);
  }
}

// Launches from a warm pool are measured apart from cold ones: they start
// pre-initialized instances, and would pull a cold median down.
TEST(BootTimeTest, LaunchesFromAWarmPoolApart) {
  auto from_pool = [](int took) {
    return Activity("Launching a new EC2 instance from warm pool: i-0abc",
                    "Successful", took);
  };
  auto b = BootTimeFromActivities(
      {Launch(200), from_pool(20), Launch(220), from_pool(30), from_pool(25),
       Activity("Launching a new EC2 instance into warm pool: i-0abc",
                "Successful", 215)});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->median, seconds(210));
  EXPECT_EQ(b->launches, 2);
  EXPECT_EQ(b->warm_pool_median, seconds(25));
  EXPECT_EQ(b->warm_pool_p90, seconds(30)) << "nearest rank of 3: the third";
  EXPECT_EQ(b->warm_pool_launches, 3);
  // Only launches from the pool: no cold median.
  b = BootTimeFromActivities({from_pool(19)});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->launches, 0);
  EXPECT_EQ(b->warm_pool_median, seconds(19));
  EXPECT_EQ(b->warm_pool_p90, seconds(19));
  // Ten launches, 10..100 s: the 90th percentile is the ninth, not the
  // slowest.
  std::vector<ScalingActivity> ten;
  for (int s = 100; s >= 10; s -= 10) ten.push_back(from_pool(s));
  b = BootTimeFromActivities(ten);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->warm_pool_median, seconds(55));
  EXPECT_EQ(b->warm_pool_p90, seconds(90));
}

}  // namespace
}  // namespace phas::aws
