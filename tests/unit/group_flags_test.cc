// `phas backtest` and `phas tune` on a trace refuse the flags that only a
// group read from AWS uses (--signal, --days, ...): exit 2 and one line
// naming the flag, whatever its value, instead of ignoring it.
#include <gtest/gtest.h>

#include <string>

#include "phas_cli.h"

namespace phas {
namespace {

using GroupFlagsTest = testing::PhasCliTest;

TEST_F(GroupFlagsTest, ATraceRefusesTheGroupsFlagsEvenAtTheirDefaults) {
  const std::string trace =
      testing::SourcePath("data/traces/nasa_http_1995_1min.csv");
  const std::string signal_hint =
      "; a trace's signal is world.signal in the --config file";
  struct Case {
    std::string args;
    std::string want;  // the line on stderr; "" for a run that succeeds
  } cases[] = {
      {"backtest --trace " + trace + " --signal alb_requests",
       "--signal goes with --asg (the group read from AWS)" + signal_hint},
      {"backtest --trace " + trace +
           " --resource-label app/a/1/targetgroup/b/2",
       "--resource-label goes with --asg (the group read from AWS)" +
           signal_hint},
      {"tune --trace " + trace + " --days 3",
       "--days goes with --asg (the group read from AWS)"},
      // The defaults' own values, given: refused too (they were accepted
      // while the check compared values).
      {"backtest --trace " + trace + " --days 14",
       "--days goes with --asg (the group read from AWS)"},
      {"backtest --trace " + trace + " --request-hours 0",
       "--request-hours goes with --asg (the group read from AWS)"},
      {"tune --trace " + trace + " --scaler-config none.yaml",
       "--scaler-config goes with --asg (the group read from AWS)"},
      {"backtest --trace " + trace + " --region us-east-1",
       "--region goes with --asg (the group read from AWS)"},
      // Without them the same trace replays.
      {"backtest --trace " + trace +
           " --hours 2 --policy target-tracking --quiet",
       ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    Run r = Phas(c.args);
    if (c.want.empty()) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "phas: InvalidArgument: " + c.want + "\n");
  }
}

}  // namespace
}  // namespace phas
