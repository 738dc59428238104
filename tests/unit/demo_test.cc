// `phas demo` on a short stretch of the shipped trace: it runs the real loop
// on SimCloud and the reactive group scales both ways.
#include "sim/demo.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace phas {
namespace {

TEST(DemoTest, ShortTraceScalesBothWays) {
  std::string out_dir = std::filesystem::temp_directory_path() /
                        ("phas_demo_" + std::to_string(::getpid()));
  DemoOptions o;
  o.hours = 24;
  o.output_dir = out_dir;
  o.out = std::tmpfile();
  auto r = RunDemo(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const DemoGroup& reactive = (*r)[1];
  EXPECT_EQ(reactive.policy, "reactive");
  EXPECT_GT(reactive.summary.scale_ups, 0);
  EXPECT_GT(reactive.summary.scale_downs, 0);
  EXPECT_GT(reactive.summary.instance_hours,
            24 * 2 - 1);  // at least min capacity
  // The seed group, with the shipped (trained) model, scales both ways too.
  const DemoGroup& seed = (*r)[0];
  EXPECT_GT(seed.summary.scale_ups, 0);
  EXPECT_GT(seed.summary.scale_downs, 0);
  // Minutes with data: all but the trace's one 5-minute gap on that day.
  for (const DemoGroup& g : *r) EXPECT_GT(g.summary.minutes, 24 * 60 - 10);
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/ec2_monitor.log"));
  std::fclose(o.out);
  std::filesystem::remove_all(out_dir);
}

}  // namespace
}  // namespace phas
