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

// The length of the well-formed UTF-8 character at s[i] (RFC 3629: no
// overlong form, no surrogate, nothing past U+10FFFF), 0 if there is none.
inline size_t Utf8CharAt(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c < 0x80) {
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + n >= s.size()) return 0;  // cut short
  for (size_t k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return 0;
  }
  return n + 1;
}

// `s` for a terminal, each character as it is but: control characters (an
// escape sequence, a carriage return, a NUL) and bytes that are not UTF-8
// (a lone 0x9b is CSI to a terminal reading 8-bit controls) as \xNN, C1
// controls as \u00NN, and a backslash doubled, so that a literal "\x1b"
// is not taken for an escaped ESC. For text from outside phas shown to
// people: AWS's and a predictor's error bodies, group names.
inline std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = Utf8CharAt(s, i);
    if (c == '\\') {
      out += "\\\\";
    } else if (n == 0 || c < 0x20 || c == 0x7f) {
      out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else if (c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      out += {'\\', 'u', '0', '0', kHex[c1 >> 4], kHex[c1 & 15]};
    } else {
      out.append(s.substr(i, n));
    }
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace phas

#endif  // PHAS_COMMON_TEXT_H_
