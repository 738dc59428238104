// `phas forecast` on a trace it cannot evaluate: exit 2 and one line saying
// why, instead of "0 day(s) evaluated", MAE inf and exit 0.
#include <gtest/gtest.h>

#include <string>

#include "phas_cli.h"

namespace phas {
namespace {

using ForecastCmdTest = testing::PhasCliTest;

// `rows` samples of 5, 5 minutes apart from 2023-11-14T22:13:20Z.
std::string Rows(int rows) {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(1700000000 + 300 * i) + ",5\n";
  }
  return csv;
}

// As Rows, with every value but the first and the last missing.
std::string Gapped(int rows) {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(1700000000 + 300 * i) + "," +
           (i == 0 || i == rows - 1 ? "5" : "") + "\n";
  }
  return csv;
}

TEST_F(ForecastCmdTest, ATraceItCannotEvaluateIsRefusedInOneLine) {
  const std::string need =
      "; phas forecast needs at least 3 days (2 to fit on, 1 to evaluate)";
  struct Case {
    const char* name;
    std::string csv;
    std::string want;  // the line on stderr after the file's path
  } cases[] = {
      // Each sample covers its 5 minutes (3 days of them are 3 days).
      {"under a day", Rows(3), ": the trace spans 15 minutes" + need},
      // Walk-forward fits on 2 days before each evaluated day.
      {"an hour short of 3 days", Rows(3 * 288 - 11),
       ": the trace spans 4265 minutes" + need},
      {"a value whose errors are inf",
       "timestamp,value\n1700000000,5\n1700000300,1e308\n1700000600,7\n",
       ":3: value 1e+308 is over 1e+15, the most a trace holds"},
      // The partial last day is not evaluated: the evaluated one is empty.
      {"4 days and an hour with data only in the first and last rows",
       Gapped(4 * 288 + 12),
       ": no minute of the 2 day(s) evaluated has data; nothing to score "
       "the forecasts against"},
      // Its last sample's minutes are, and no model forecast them.
      {"4 days with data only in the first and last rows", Gapped(4 * 288),
       ": no model made a forecast for the 2 day(s) evaluated"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = Write("t.csv", c.csv);
    Run r = Phas("forecast '" + path + "'");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "phas: InvalidArgument: " + path + c.want + "\n");
  }
}

}  // namespace
}  // namespace phas
