#include "cmd/number_checks.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <string>

namespace phas {
namespace {

// A finite number, read as CLI11 reads the flag's value, for which `ok`
// holds; otherwise "must be <want>, got <input>".
CLI::Validator FiniteNumber(const std::string& desc,
                            std::function<bool(double)> ok,
                            const std::string& want) {
  return CLI::Validator(
      [ok = std::move(ok), want](std::string& input) -> std::string {
        double v = 0;
        if (CLI::detail::lexical_cast(input, v) && std::isfinite(v) && ok(v)) {
          return "";
        }
        return fmt::format("must be {}, got {}", want, input);
      },
      "NUMBER " + desc);
}

}  // namespace

CLI::Validator NumberIn(double lo, double hi) {
  return FiniteNumber(
      fmt::format("in [{}, {}]", lo, hi),
      [lo, hi](double v) { return v >= lo && v <= hi; },
      fmt::format("a number from {} to {}", lo, hi));
}

CLI::Validator NumberAbove(double lo) {
  return FiniteNumber(
      fmt::format("> {}", lo), [lo](double v) { return v > lo; },
      fmt::format("greater than {}", lo));
}

CLI::Validator NumberAtLeast(double lo) {
  return FiniteNumber(
      fmt::format(">= {}", lo), [lo](double v) { return v >= lo; },
      fmt::format("a number of at least {}", lo));
}

}  // namespace phas
