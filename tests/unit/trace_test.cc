#include "sim/trace.h"

#include <gtest/gtest.h>

#include <cmath>

namespace phas {
namespace {

using std::chrono::minutes;

// `phas history` writes rows 3600, 300 and 60 s apart by age; each row's
// own period decides what is a gap.
TEST(TraceTest, PeriodColumnGivesEachRowItsStep) {
  const std::string csv =
      "# provenance\n"
      "timestamp,load,in_service,cpu,period_seconds\n"
      "2026-11-01T00:00:00Z,10,2,,300\n"
      "2026-11-01T00:05:00Z,20,2,,300\n"
      "2026-11-01T00:10:00Z,30,2,,60\n"
      "2026-11-01T00:11:00Z,40,2,,60\n"
      "2026-11-01T00:20:00Z,50,2,,60\n"  // 9 minutes after a 60 s row: a gap
      "2026-11-01T00:21:00Z,60,2,,60\n";
  auto t = ParseTrace(csv, "h.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->samples.size(), 6u);
  EXPECT_EQ(t->samples[1].value, 20);
  EXPECT_EQ(t->gaps, 1);
  DemandMapping m;
  m.capacity_per_instance = 10;
  auto d = MakeDemand(*t, m, t->samples.front().time);
  const TimePoint s = t->samples.front().time;
  EXPECT_DOUBLE_EQ(d->At(s + minutes(4)), 1);  // a 300 s row holds 5 minutes
  EXPECT_DOUBLE_EQ(d->At(s + minutes(10)), 3);
  EXPECT_TRUE(std::isnan(d->At(s + minutes(15))));  // in the gap
  EXPECT_DOUBLE_EQ(d->At(s + minutes(20)), 5);
}

TEST(TraceTest, WithoutPeriodColumnTheMedianStepRules) {
  // Extra columns are ignored; 5 minutes after 1-minute rows is a gap.
  const std::string csv =
      "timestamp,value,other\n"
      "2026-11-01T00:00:00Z,1,x\n"
      "2026-11-01T00:01:00Z,1,x\n"
      "2026-11-01T00:02:00Z,1,x\n"
      "2026-11-01T00:07:00Z,1,x\n";
  auto t = ParseTrace(csv, "a.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->periods.empty());
  EXPECT_EQ(t->gaps, 1);
}

TEST(TraceTest, BadPeriodNamesTheLine) {
  auto t = ParseTrace(
      "timestamp,load,period_seconds\n2026-11-01T00:00:00Z,1,60\n"
      "2026-11-01T00:01:00Z,1,zero\n",
      "b.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "b.csv:3: period_seconds must be a positive number");
}

// A missing value, however a CSV writer spells it, is a missing row: not a
// sample, not an error; the gap rules decide what the series holds there.
// Anything else that is not a number is refused, naming the line.
TEST(TraceTest, AMissingValueIsAMissingRow) {
  const std::string csv =
      "timestamp,value\n"
      "2026-11-01T00:00:00Z,10\n"
      "2026-11-01T00:05:00Z,\n"
      "2026-11-01T00:10:00Z,NaN\n"
      "2026-11-01T00:15:00Z, null \n"
      "2026-11-01T00:20:00Z,NA\r\n"
      "2026-11-01T00:25:00Z,N/A\n"
      "2026-11-01T00:30:00Z,None\n"
      "2026-11-01T00:35:00Z,20\n"
      "2026-11-01T00:40:00Z,30\n"
      "2026-11-01T00:45:00Z,40\n"
      "2026-11-01T00:50:00Z,nan\n"
      "2026-11-01T00:55:00Z,50\n";
  auto t = ParseTrace(csv, "m.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->missing, 7);
  ASSERT_EQ(t->samples.size(), 5u);
  EXPECT_EQ(t->samples[1].value, 20);
  EXPECT_EQ(t->median_step, minutes(5));
  EXPECT_EQ(t->gaps, 1);  // 35 minutes after the first row; 10 is not a gap
  DemandMapping m;
  m.capacity_per_instance = 10;
  const TimePoint s = t->samples.front().time;
  auto d = MakeDemand(*t, m, s);
  EXPECT_DOUBLE_EQ(d->At(s + minutes(2)), 1);
  EXPECT_TRUE(std::isnan(d->At(s + minutes(20))));
  EXPECT_DOUBLE_EQ(d->At(s + minutes(52)), 4);  // one missing row: held

  // Spaces and tabs around a timestamp are not part of it.
  auto padded =
      ParseTrace("\t2026-11-01T00:00:00Z,1\n 2026-11-01 00:01 \t,2\n", "p.csv");
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  EXPECT_EQ(padded->samples.size(), 2u);
  EXPECT_EQ(padded->samples[1].time - padded->samples[0].time, minutes(1));

  auto bad = ParseTrace(
      "timestamp,value\n2026-11-01T00:00:00Z,1\n2026-11-01T00:01:00Z,lots\n",
      "b.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "b.csv:3: unreadable value 'lots'");
  // A missing row's time still has to come after the previous row's.
  auto order = ParseTrace(
      "2026-11-01T00:05:00Z,1\n2026-11-01T00:05:00Z,\n"
      "2026-11-01T00:06:00Z,1\n",
      "o.csv");
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().message(),
            "o.csv:2: timestamp not after the previous line's");
}

// A first row that starts like a number is data, however unreadable: it is
// refused naming line 1, not taken for a header (which lost it). A trace's
// span, its values and its periods are bounded: past them a replay walked
// centuries of minutes, a forecast's errors were inf, every row was a gap.
TEST(TraceTest, BadInputIsRefusedNamingTheLine) {
  struct Case {
    const char* name;
    std::string csv;
    std::string want;  // the error's message
  } cases[] = {
      {"an unreadable value in a header-less first row",
       "1700000000,abc\n1700000300,6\n1700000600,7\n",
       "t.csv:1: unreadable value 'abc'"},
      {"an unreadable timestamp in a header-less first row",
       "17000x0000,5\n1700000300,6\n1700000600,7\n",
       "t.csv:1: unreadable timestamp '17000x0000'"},
      {"an unreadable ISO-8601 first row",
       "2024-02-30T00:00:00Z,5\n2024-03-01T00:00:00Z,6\n",
       "t.csv:1: unreadable timestamp '2024-02-30T00:00:00Z'"},
      {"a day past the month's end",
       "timestamp,value\n2024-02-28T00:00:00Z,5\n2024-02-30T00:00:00Z,6\n"
       "2024-03-02T00:00:00Z,6\n",
       "t.csv:3: unreadable timestamp '2024-02-30T00:00:00Z'"},
      {"a gap of 83,333 days",
       "timestamp,value\n1700000000,5\n1700000300,6\n8900000000,7\n",
       "t.csv:4: 83333 days after the first row (line 2); a trace spans at "
       "most 730 days"},
      {"a span of 731 days, a missing row's time counting",
       "timestamp,value\n2024-01-01T00:00:00Z,5\n2025-12-31T00:00:00Z,6\n"
       "2026-01-01T00:00:01Z,\n",
       "t.csv:4: 731 days after the first row (line 2); a trace spans at most "
       "730 days"},
      {"a value that sums to inf",
       "timestamp,value\n1700000000,5\n1700000300,1e308\n1700000600,7\n",
       "t.csv:3: value 1e+308 is over 1e+15, the most a trace holds"},
      {"a period of 1e300 s",
       "timestamp,value,period_seconds\n1700000000,5,1e300\n"
       "1700000300,6,1e300\n",
       "t.csv:2: period_seconds 1e+300 is out of range (1 to 86400 s)"},
      {"a period of more than a day",
       "timestamp,value,period_seconds\n1700000000,5,60\n"
       "1700000300,6,86401\n",
       "t.csv:3: period_seconds 86401 is out of range (1 to 86400 s)"},
      {"a period under a second",
       "timestamp,value,period_seconds\n1700000000,5,1e-300\n"
       "1700000300,6,60\n",
       "t.csv:2: period_seconds 1e-300 is out of range (1 to 86400 s)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto t = ParseTrace(c.csv, "t.csv");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().message(), c.want);
  }
}

// A UTF-8 byte order mark (Excel's) is not part of the first row: a
// header-less file keeps its first sample, a commented one its comment.
TEST(TraceTest, AByteOrderMarkIsNotPartOfTheFirstRow) {
  struct Case {
    const char* name;
    std::string csv;
    double first_value;
  } cases[] = {
      {"header-less",
       "\xEF\xBB\xBF"
       "1700000000,5\n1700000300,6\n",
       5},
      {"a comment first",
       "\xEF\xBB\xBF# exported\ntimestamp,value\n1700000000,8\n"
       "1700000300,6\n",
       8},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto t = ParseTrace(c.csv, "t.csv");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ(t->samples.size(), 2u);
    EXPECT_EQ(t->samples[0].time, FromUnixSeconds(1700000000));
    EXPECT_EQ(t->samples[0].value, c.first_value);
  }
}

}  // namespace
}  // namespace phas
