// Format: fmt::format for a compiled format string (FMT_COMPILE), built in
// a stack buffer and copied once. fmt 9's own fmt::format(FMT_COMPILE(...))
// appends to the std::string one character at a time, which costs a third
// more on the reasons the policies write every cycle.
//
// Thread-safety: a pure function.
#ifndef PHAS_COMMON_FORMAT_H_
#define PHAS_COMMON_FORMAT_H_

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <string>

namespace phas {

template <typename CompiledFormat, typename... Args>
std::string Format(const CompiledFormat& format, const Args&... args) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), format, args...);
  return std::string(buf.data(), buf.size());
}

}  // namespace phas

#endif  // PHAS_COMMON_FORMAT_H_
