#include "common/format.h"

#include <cmath>
#include <cstdint>

namespace phas {

size_t WriteFixed(double value, int digits, char* out) {
  static constexpr double kScale[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                      1e5, 1e6, 1e7, 1e8, 1e9};
  bool fast = digits >= 0 && digits <= 9;
  double scaled = fast ? std::fabs(value) * kScale[digits] : 0;
  // Below 1e9 the product is within half an ulp (6e-8) of the exact one,
  // so a fraction that far from .5 rounds as the exact decimal would.
  double frac = scaled - std::floor(scaled);
  if (!fast || !std::isfinite(value) || scaled >= 1e9 ||
      std::fabs(frac - 0.5) < 1e-6) {
    auto end =
        fmt::format_to_n(out, kFixedMax, FMT_COMPILE("{:.{}f}"), value, digits);
    return static_cast<size_t>(end.out - out);
  }
  uint64_t n = static_cast<uint64_t>(std::floor(scaled + 0.5));
  char digits_rev[24];
  int len = 0;
  do {
    digits_rev[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 || len <= digits);  // at least one digit before the point
  size_t w = 0;
  if (std::signbit(value)) out[w++] = '-';
  for (int i = len - 1; i >= 0; --i) {
    out[w++] = digits_rev[i];
    if (i == digits && digits > 0) out[w++] = '.';
  }
  return w;
}

}  // namespace phas
