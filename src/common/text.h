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

// `s` for a terminal: control characters (an escape sequence, a carriage
// return, a NUL) as \xNN, C1 controls as \u00NN, all else as it is. For
// text from outside phas shown to people: AWS's and a predictor's error
// bodies, group names.
inline std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else if (c == 0xc2 && i + 1 < s.size() &&
               (static_cast<unsigned char>(s[i + 1]) & 0xe0) == 0x80) {
      const auto c1 = static_cast<unsigned char>(s[++i]);
      out += {'\\', 'u', '0', '0', kHex[c1 >> 4], kHex[c1 & 15]};
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace phas

#endif  // PHAS_COMMON_TEXT_H_
