#include "http/http_parser.h"

#include <cstring>

namespace phas {
namespace {

constexpr size_t kMaxHeaders = 64;

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Field values: visible ASCII, obs-text, space and tab. No CR, LF or NUL.
bool IsFieldValue(std::string_view s) {
  for (unsigned char c : s) {
    if (c == '\t') continue;
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

ParsedHead Error(int status, std::string message, std::string field = {}) {
  ParsedHead h;
  h.state = ParsedHead::State::kError;
  h.error_status = status;
  h.error_message = std::move(message);
  h.error_field = std::move(field);
  h.keep_alive = false;
  return h;
}

bool ContainsToken(std::string_view list, std::string_view token) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    if (EqualsIgnoreCase(Trim(list.substr(pos, comma - pos)), token)) {
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

// Parses "METHOD SP target SP HTTP/1.x".
ParsedHead ParseRequestLine(std::string_view line, HttpRequest* req) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Error(400, "malformed request line");
  }
  req->method = line.substr(0, sp1);
  req->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(req->method)) return Error(400, "malformed method");
  if (req->target.empty() || req->target[0] != '/') {
    return Error(400, "request target must be an absolute path");
  }
  for (unsigned char c : req->target) {
    if (c <= 0x20 || c >= 0x7f) {
      return Error(400, "request target has a forbidden character");
    }
  }
  // An unsupported version is the client's fault like any other malformed
  // request line: 400, so that a 5xx always means a fault in phas.
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." ||
      (version[7] != '0' && version[7] != '1')) {
    if (version.substr(0, 5) == "HTTP/") {
      return Error(400,
                   "HTTP version '" + std::string(version.substr(0, 16)) +
                       "' is not supported; use HTTP/1.0 or HTTP/1.1",
                   "version");
    }
    return Error(400, "malformed HTTP version", "version");
  }
  req->version_minor = version[7] - '0';
  size_t q = req->target.find('?');
  req->path = req->target.substr(0, q);
  req->query = q == std::string_view::npos ? std::string_view()
                                           : req->target.substr(q + 1);
  ParsedHead ok;
  return ok;
}

// Rejects a line of the request head that ends with a bare LF instead of
// CRLF (RFC 9112 section 2.2 allows either choice; phas answers 400 at once
// rather than waiting for a CRLFCRLF that will never come). `head` is the
// request head, or all the bytes received when its end has not arrived.
ParsedHead CheckLineEndings(std::string_view head) {
  size_t lf = head.find('\n');
  while (lf != std::string_view::npos && lf > 0 && head[lf - 1] == '\r') {
    lf = head.find('\n', lf + 1);
  }
  if (lf == std::string_view::npos) return ParsedHead();
  int line = 1;
  for (size_t p = head.find('\n'); p < lf; p = head.find('\n', p + 1)) {
    ++line;
  }
  if (line == 1) {
    return Error(400,
                 "request line ends with a bare LF; lines must end with CRLF");
  }
  return Error(400,
               "header line " + std::to_string(line - 1) +
                   " ends with a bare LF; lines must end with CRLF",
               "headers");
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x |= 0x20;
    if (y >= 'A' && y <= 'Z') y |= 0x20;
    if (x != y) return false;
  }
  return true;
}

ParsedHead ParseRequestHead(std::string_view buf, size_t max_header_bytes,
                            size_t max_body_bytes, HttpRequest* req) {
  // Tolerate empty lines before a request (RFC 9112 section 2.2).
  size_t start = 0;
  while (start + 1 < buf.size() && buf[start] == '\r' &&
         buf[start + 1] == '\n') {
    start += 2;
  }
  size_t end = buf.find("\r\n\r\n", start);
  ParsedHead endings = CheckLineEndings(
      buf.substr(start, end == std::string_view::npos ? end : end + 4 - start));
  if (endings.state == ParsedHead::State::kError) return endings;
  if (end == std::string_view::npos) {
    // Fail fast on bytes that cannot begin a request (a TLS handshake sent
    // to a plain-HTTP port, binary noise) instead of waiting for a timeout.
    for (size_t i = start; i < buf.size() && buf[i] != ' '; ++i) {
      // A CR as the last byte may be an empty line's, its LF still to come.
      if (i == start && buf[i] == '\r' && i + 1 == buf.size()) break;
      if (!IsTokenChar(static_cast<unsigned char>(buf[i])) || i - start > 32) {
        return Error(400, "malformed request line");
      }
    }
    if (buf.size() > max_header_bytes) {
      return Error(431,
                   "request header section larger than " +
                       std::to_string(max_header_bytes) + " bytes",
                   "headers");
    }
    return ParsedHead();
  }
  // Leading blank lines count: a request is at most max_header_bytes +
  // max_body_bytes, which bounds the server's input buffer.
  if (end + 4 > max_header_bytes) {
    return Error(431,
                 "request header section larger than " +
                     std::to_string(max_header_bytes) + " bytes",
                 "headers");
  }
  std::string_view head = buf.substr(start, end - start);
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  ParsedHead result = ParseRequestLine(line, req);
  if (result.state == ParsedHead::State::kError) return result;

  req->headers.clear();
  bool have_length = false;
  size_t content_length = 0;
  // Every Connection line counts: a field sent on several lines is one list
  // (RFC 9110 section 5.3).
  bool asks_close = false;
  bool asks_keep_alive = false;
  int hosts = 0;
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view field = head.substr(pos, next - pos);
    pos = next + 2;
    if (!field.empty() && (field[0] == ' ' || field[0] == '\t')) {
      return Error(400, "obsolete header line folding is not accepted",
                   "headers");
    }
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      return Error(400, "header line without ':'", "headers");
    }
    std::string_view name = field.substr(0, colon);
    std::string_view value = Trim(field.substr(colon + 1));
    if (!IsToken(name)) {
      return Error(400, "malformed header name", "headers");
    }
    if (!IsFieldValue(value)) {
      return Error(
          400, "header '" + std::string(name) + "' has a forbidden character",
          std::string(name));
    }
    if (req->headers.size() >= kMaxHeaders) {
      return Error(431, "more than " + std::to_string(kMaxHeaders) + " headers",
                   "headers");
    }
    req->headers.push_back({name, value});
    if (EqualsIgnoreCase(name, "content-length")) {
      if (value.empty() || value.size() > 18) {
        return Error(400, "invalid Content-Length", "Content-Length");
      }
      size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          return Error(400, "invalid Content-Length", "Content-Length");
        }
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (have_length && n != content_length) {
        return Error(400, "conflicting Content-Length headers",
                     "Content-Length");
      }
      have_length = true;
      content_length = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      return Error(411,
                   "Transfer-Encoding is not accepted; send the body with a "
                   "Content-Length",
                   "Transfer-Encoding");
    } else if (EqualsIgnoreCase(name, "host")) {
      // Two would leave which one names the server to the reader (RFC 9112
      // section 3.2: 400).
      if (++hosts > 1) return Error(400, "more than one Host header", "Host");
    } else if (EqualsIgnoreCase(name, "connection")) {
      asks_close = asks_close || ContainsToken(value, "close");
      asks_keep_alive = asks_keep_alive || ContainsToken(value, "keep-alive");
    } else if (EqualsIgnoreCase(name, "expect")) {
      if (!EqualsIgnoreCase(value, "100-continue")) {
        return Error(417, "only 'Expect: 100-continue' is supported", "Expect");
      }
      result.expect_continue = true;
    }
  }
  // RFC 9112 section 3.2: an HTTP/1.1 request names its server.
  if (hosts == 0 && req->version_minor == 1) {
    return Error(400, "an HTTP/1.1 request must have a Host header", "Host");
  }
  if (content_length > max_body_bytes) {
    return Error(413,
                 "request body of " + std::to_string(content_length) +
                     " bytes is larger than the limit of " +
                     std::to_string(max_body_bytes),
                 "body");
  }
  result.state = ParsedHead::State::kComplete;
  result.head_length = end + 4;
  result.body_length = content_length;
  result.keep_alive =
      !asks_close && (req->version_minor == 1 || asks_keep_alive);
  if (result.expect_continue && req->version_minor == 0) {
    result.expect_continue = false;
  }
  return result;
}

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return true;
  }
  return false;
}

}  // namespace phas
