// Incremental parsing of one HTTP/1.x request head from a byte buffer.
// Pure functions over bytes: no sockets, no clocks; tested by tables.
// Thread-safety: stateless.
#ifndef PHAS_HTTP_HTTP_PARSER_H_
#define PHAS_HTTP_HTTP_PARSER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "http/http_server.h"

namespace phas {

struct ParsedHead {
  enum class State {
    kIncomplete,  // need more bytes
    kComplete,    // head parsed; body_length is known
    kError,       // reject with error_status and close
  };
  State state = State::kIncomplete;
  size_t head_length = 0;  // bytes of request line + headers + blank line
  size_t body_length = 0;  // from Content-Length (0 when absent)
  bool keep_alive = true;
  bool expect_continue = false;
  int error_status = 0;
  std::string error_message;
  std::string error_field;
};

// Parses the request head at the start of `buf` into `req` (views into buf).
// Returns kIncomplete until the blank line arrives; kError with a 4xx status
// (400, 411, 413, 417, 431) for anything malformed or over the limits; a
// line ending in a bare LF is a 400 as soon as it is seen. The head may be at
// most max_header_bytes, blank lines before the request line included.
ParsedHead ParseRequestHead(std::string_view buf, size_t max_header_bytes,
                            size_t max_body_bytes, HttpRequest* req);

// Case-insensitive ASCII equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace phas

#endif  // PHAS_HTTP_HTTP_PARSER_H_
