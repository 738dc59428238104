#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>

#include "aws/crypto.h"
#include "common/text.h"

namespace phas::aws {
namespace {

// Trims and collapses runs of spaces to one, as the canonical form requires.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string CanonicalQuery(const HeaderList& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& [k, v] : query) enc.emplace_back(UriEncode(k), UriEncode(v));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool encode_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = slash + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) out.push_back('/');
    out.append(segments[i]);
  }
  // A trailing slash (or a trailing "." / ".." segment) keeps the directory
  // form.
  bool trailing =
      !path.empty() &&
      (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
  if (trailing && !segments.empty()) out.push_back('/');
  return out;
}

Signature SignV4(const SigningRequest& req, const SigningKey& key,
                 const SigningScope& scope) {
  // Canonical headers: lower-case names, sorted; repeated names joined by ','.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [k, v] : req.headers) {
    std::string name = AsciiLower(k);
    std::string value = CanonicalValue(v);
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& h) { return h.first == name; });
    if (it == headers.end()) {
      headers.emplace_back(name, value);
    } else {
      it->second += "," + value;
    }
  }
  std::stable_sort(
      headers.begin(), headers.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += k;
  }

  Signature sig;
  sig.signed_headers = signed_headers;
  sig.canonical_request =
      req.method + "\n" + UriEncode(NormalizePath(req.path), false) + "\n" +
      CanonicalQuery(req.query) + "\n" + canonical_headers + "\n" +
      signed_headers + "\n" + HexEncode(Sha256(req.body));

  std::string amz_date = FormatAmzDate(scope.time);
  std::string date = amz_date.substr(0, 8);
  std::string credential_scope =
      date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" +
                       credential_scope + "\n" +
                       HexEncode(Sha256(sig.canonical_request));

  std::string k = HmacSha256("AWS4" + key.secret_access_key, date);
  k = HmacSha256(k, scope.region);
  k = HmacSha256(k, scope.service);
  k = HmacSha256(k, "aws4_request");
  sig.signature = HexEncode(HmacSha256(k, sig.string_to_sign));
  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + key.access_key_id + "/" +
                      credential_scope + ", SignedHeaders=" + signed_headers +
                      ", Signature=" + sig.signature;
  return sig;
}

}  // namespace phas::aws
