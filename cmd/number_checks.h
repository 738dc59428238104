// CLI11 checks of a floating-point flag: a finite number within bounds.
// CLI11's own Range lets "nan" through (every comparison with NaN is false)
// and "inf" through open-ended ranges, and says an open end as a 309-digit
// number; these refuse both and say the bound as given:
//   phas: --hours: must be a number from 0 to 1000000, got nan (see ...)
//   phas: --capacity-per-instance: must be greater than 0, got 0 (...)
// Use them for every floating-point flag (integer flags refuse "nan" when
// converted).
//
// Thread-safety: the validators are values; copies are independent.
#ifndef PHAS_CMD_NUMBER_CHECKS_H_
#define PHAS_CMD_NUMBER_CHECKS_H_

#include <CLI/CLI.hpp>

namespace phas {

// lo <= value <= hi.
CLI::Validator NumberIn(double lo, double hi);
// value > lo.
CLI::Validator NumberAbove(double lo);
// value >= lo.
CLI::Validator NumberAtLeast(double lo);

}  // namespace phas

#endif  // PHAS_CMD_NUMBER_CHECKS_H_
