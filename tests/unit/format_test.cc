#include "common/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace phas {
namespace {

std::string Fast(double v, int digits) {
  return Format(FMT_COMPILE("{}"), Fixed(v, digits));
}

std::string Fmt(double v, int digits) {
  return fmt::format("{:.{}f}", v, digits);
}

// Fixed writes what "{:.Nf}" writes, for every number it is given.
TEST(FixedTest, WritesWhatFmtWrites) {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.04,
                                -0.04,
                                0.05,
                                0.15,
                                0.25,
                                0.35,
                                0.45,
                                1.45,
                                2.5,
                                3.5,
                                0.125,
                                0.375,
                                1e-9,
                                9.95,
                                99.95,
                                59.999999,
                                60.0,
                                123456.789,
                                -98765.4321,
                                999999999.4,
                                999999999.6,
                                1e12,
                                -3.7e15,
                                1e300,
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::max(),
                                std::nextafter(0.5, 1.0),
                                std::nextafter(0.5, 0.0),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN()};
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 20000; ++i) {
    double scale = std::pow(10.0, static_cast<int>(unit(rng) * 12) - 3);
    values.push_back((unit(rng) - 0.3) * scale);
    // Near ties at one and two decimals: k/20 and k/200 and their
    // neighbours.
    double tie = std::floor(unit(rng) * 2000) / 20;
    values.push_back(tie);
    values.push_back(std::nextafter(tie, 0.0));
    values.push_back(std::nextafter(tie, 1e9));
    values.push_back(std::floor(unit(rng) * 20000) / 200);
  }
  for (double v : values) {
    for (int d = 0; d <= 12; ++d) {  // past 9: fmt's own
      ASSERT_EQ(Fast(v, d), Fmt(v, d))
          << "value " << fmt::format("{}", v) << ", " << d << " decimals";
    }
  }
}

TEST(FixedTest, InsideAFormatString) {
  EXPECT_EQ(
      Format(FMT_COMPILE("cpu {}% (target {})"), Fixed(61.25, 1), Fixed(60, 0)),
      "cpu 61.2% (target 60)");
  EXPECT_EQ(Format(FMT_COMPILE("{}|{}"), Fixed(-0.04, 1), Fixed(7.005, 2)),
            fmt::format("{:.1f}|{:.2f}", -0.04, 7.005));
}

}  // namespace
}  // namespace phas
