// Text helpers shared by the parsers.
// Thread-safety: pure functions.
#ifndef PHAS_COMMON_TEXT_H_
#define PHAS_COMMON_TEXT_H_

#include <string>
#include <string_view>

namespace phas {

// `s` with ASCII A-Z lowered and every other byte as it is: what names
// compared case-blind (headers, URL schemes and hosts, keys of AWS's
// files) need, whatever the locale.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace phas

#endif  // PHAS_COMMON_TEXT_H_
