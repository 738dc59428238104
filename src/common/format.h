// Format: fmt::format for a compiled format string (FMT_COMPILE), built in
// a stack buffer and copied once. fmt 9's own fmt::format(FMT_COMPILE(...))
// appends to the std::string one character at a time, which costs a third
// more on the reasons the policies write every cycle.
//
// Fixed: a double with a fixed number of decimals, written exactly as
// "{:.Nf}" writes it (`Format(FMT_COMPILE("{}"), Fixed(x, 1))` equals
// `fmt::format("{:.1f}", x)`), by integer arithmetic: fmt's own fixed
// precision path costs ~1,000 instructions a number, a tenth of a target
// tracking cycle. Numbers it cannot round surely that way (within 1e-6 of a
// tie, beyond 1e9 once scaled, not finite) go to fmt.
//
// Thread-safety: pure functions.
#ifndef PHAS_COMMON_FORMAT_H_
#define PHAS_COMMON_FORMAT_H_

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>

namespace phas {

template <typename CompiledFormat, typename... Args>
std::string Format(const CompiledFormat& format, const Args&... args) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), format, args...);
  return std::string(buf.data(), buf.size());
}

struct Fixed {
  Fixed(double v, int d) : value(v), digits(d) {}
  double value;
  int digits;  // 0..9 by integer arithmetic; others as fmt writes them
};

// Writes `value` with `digits` decimals into `out` (kFixedMax chars at
// least); returns the length.
constexpr size_t kFixedMax = 352;  // "-1e308" with 9 decimals, and more
size_t WriteFixed(double value, int digits, char* out);

}  // namespace phas

template <>
struct fmt::formatter<phas::Fixed> {
  constexpr auto parse(format_parse_context& ctx) { return ctx.begin(); }
  template <typename FormatContext>
  auto format(const phas::Fixed& f, FormatContext& ctx) const {
    char buf[phas::kFixedMax];
    size_t n = phas::WriteFixed(f.value, f.digits, buf);
    return std::copy(buf, buf + n, ctx.out());
  }
};

#endif  // PHAS_COMMON_FORMAT_H_
