#include "http/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace phas {
namespace {

using State = ParsedHead::State;

TEST(HttpParserTest, Table) {
  struct Case {
    const char* name;
    std::string input;
    // expected
    State state;
    int status;
    size_t body_length;
    bool keep_alive;
  };
  std::string blank_lines;  // 4200 bytes, over the 4096 limit below
  for (int i = 0; i < 2100; ++i) blank_lines += "\r\n";
  const std::string ok_head =
      "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
  const Case cases[] = {
      {"complete post", ok_head + "hello", State::kComplete, 0, 5, true},
      {"head without body yet", ok_head, State::kComplete, 0, 5, true},
      {"incomplete head", "POST /predict HTTP/1.1\r\nHost", State::kIncomplete,
       0, 0, true},
      {"get no body", "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
       State::kComplete, 0, 0, true},
      {"http/1.0 closes", "GET /health HTTP/1.0\r\n\r\n", State::kComplete, 0,
       0, false},
      {"http/1.0 keep-alive",
       "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", State::kComplete, 0,
       0, true},
      {"connection close",
       "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
       State::kComplete, 0, 0, false},
      {"close on a second Connection line",
       "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nConnection: "
       "close\r\n\r\n",
       State::kComplete, 0, 0, false},
      {"close on the first of two Connection lines",
       "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nConnection: "
       "te\r\n\r\n",
       State::kComplete, 0, 0, false},
      {"http/1.0 keep-alive then another Connection line",
       "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: "
       "upgrade\r\n\r\n",
       State::kComplete, 0, 0, true},
      {"http/1.0 keep-alive and close",
       "GET / HTTP/1.0\r\nConnection: "
       "keep-alive, close\r\n\r\n",
       State::kComplete, 0, 0, false},
      {"leading blank lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
       State::kComplete, 0, 0, true},
      {"leading blank lines count against the header limit",
       blank_lines + "GET / HTTP/1.1\r\nHost: x\r\n\r\n", State::kError, 431, 0,
       false},
      {"an empty line's CR, its LF not come yet", "\r", State::kIncomplete, 0,
       0, true},
      {"an empty line, then the next one's CR", "\r\n\r", State::kIncomplete, 0,
       0, true},
      {"a CR and not an LF", "\rGET / HTTP/1.1\r\nHost: x\r\n\r\n",
       State::kError, 400, 0, false},
      // No head's end yet: refused by the early check on how a request can
      // begin, not by the request line's parse.
      {"a CR and not an LF, no head end yet", "\rG", State::kError, 400, 0,
       false},
      {"two CRs, no head end yet", "\r\r", State::kError, 400, 0, false},
      {"garbage line", "HELLO\r\n\r\n", State::kError, 400, 0, false},
      {"binary prefix, incomplete", std::string("\x16\x03\x01\x00", 4),
       State::kError, 400, 0, false},
      {"method too long, incomplete", std::string(40, 'A'), State::kError, 400,
       0, false},
      {"absolute-form target", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
       State::kError, 400, 0, false},
      {"http/2 line", "GET / HTTP/2.0\r\n\r\n", State::kError, 400, 0, false},
      {"http/1.2", "GET / HTTP/1.2\r\n\r\n", State::kError, 400, 0, false},
      {"bad version", "GET / HTTQ/1.1\r\n\r\n", State::kError, 400, 0, false},
      {"extra space", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", State::kError, 400,
       0, false},
      {"control char in target",
       std::string("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n"), State::kError, 400,
       0, false},
      {"header without colon", "GET / HTTP/1.1\r\nHost x\r\n\r\n",
       State::kError, 400, 0, false},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
       State::kError, 400, 0, false},
      {"folded header", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
       State::kError, 400, 0, false},
      {"negative length",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
       State::kError, 400, 0, false},
      {"hex length",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
       State::kError, 400, 0, false},
      {"huge length",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
       "99999999999999999999\r\n\r\n",
       State::kError, 400, 0, false},
      {"conflicting lengths",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: "
       "2\r\n\r\n",
       State::kError, 400, 0, false},
      {"same length twice",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: "
       "2\r\n\r\nab",
       State::kComplete, 0, 2, true},
      {"over body limit",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n",
       State::kError, 413, 0, false},
      {"chunked",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
       State::kError, 411, 0, false},
      {"expect other", "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n",
       State::kError, 417, 0, false},
      // RFC 9112 section 3.2.
      {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", State::kError, 400, 0,
       false},
      {"two Host headers",
       "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n",
       State::kError, 400, 0, false},
      {"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", State::kComplete, 0,
       0, false},
      {"header too large",
       "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(5000, 'a') + "\r\n\r\n",
       State::kError, 431, 0, false},
      {"header too large, incomplete",
       "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(5000, 'a'),
       State::kError, 431, 0, false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    HttpRequest req;
    ParsedHead h = ParseRequestHead(tc.input, 4096, 1024, &req);
    EXPECT_EQ(h.state, tc.state);
    if (tc.state == State::kError) {
      EXPECT_EQ(h.error_status, tc.status) << h.error_message;
      EXPECT_FALSE(h.error_message.empty());
    }
    if (tc.state == State::kComplete) {
      EXPECT_EQ(h.body_length, tc.body_length);
      EXPECT_EQ(h.keep_alive, tc.keep_alive);
    }
  }
}

// What a client gets at once, rather than a 408 after the request timeout,
// for line endings other than CRLF and for versions other than 1.0 and 1.1.
TEST(HttpParserTest, LineEndingAndVersionErrorsNameTheProblem) {
  struct Case {
    const char* name;
    std::string input;
    // expected
    const char* field;    // "" for null
    const char* message;  // a substring of the message
  };
  const Case cases[] = {
      {"bare LF everywhere", "GET / HTTP/1.1\nHost: x\n\n", "",
       "request line ends with a bare LF"},
      {"bare LF, head not finished", "GET / HTTP/1.1\nHost: x\n", "",
       "request line ends with a bare LF"},
      {"bare LF after the request line only", "GET / HTTP/1.1\n", "",
       "request line ends with a bare LF"},
      {"bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
       "", "request line ends with a bare LF"},
      {"bare LF after a blank line", "\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
       "", "request line ends with a bare LF"},
      {"first header line", "GET / HTTP/1.1\r\nHost: x\n\r\n", "headers",
       "header line 1 ends with a bare LF"},
      {"second header line, head not finished",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\n", "headers",
       "header line 2 ends with a bare LF"},
      {"blank line ends with a bare LF", "GET / HTTP/1.1\r\nHost: x\r\n\n",
       "headers", "header line 2 ends with a bare LF"},
      {"http/2", "GET / HTTP/2.0\r\n\r\n", "version",
       "'HTTP/2.0' is not supported; use HTTP/1.0 or HTTP/1.1"},
      {"http/0.9", "GET / HTTP/0.9\r\n\r\n", "version",
       "'HTTP/0.9' is not supported"},
      {"not a version", "GET / HTTQ/1.1\r\n\r\n", "version",
       "malformed HTTP version"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    HttpRequest req;
    ParsedHead h = ParseRequestHead(tc.input, 4096, 1024, &req);
    ASSERT_EQ(h.state, State::kError);
    EXPECT_EQ(h.error_status, 400);
    EXPECT_EQ(h.error_field, tc.field);
    EXPECT_NE(h.error_message.find(tc.message), std::string::npos)
        << h.error_message;
  }
}

TEST(HttpParserTest, SplitsPathQueryAndHeaders) {
  HttpRequest req;
  std::string in =
      "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nX-Thing:  v  \r\n\r\n";
  ParsedHead h = ParseRequestHead(in, 4096, 1024, &req);
  ASSERT_EQ(h.state, State::kComplete);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.path, "/metrics");
  EXPECT_EQ(req.query, "x=1");
  EXPECT_EQ(req.Header("x-thing"), "v");
  EXPECT_EQ(req.Header("HOST"), "a");
  EXPECT_FALSE(req.HasHeader("content-type"));
  EXPECT_EQ(h.head_length, in.size());
}

TEST(HttpParserTest, ExpectContinue) {
  HttpRequest req;
  ParsedHead h = ParseRequestHead(
      "POST /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
      "3\r\n\r\n",
      4096, 1024, &req);
  ASSERT_EQ(h.state, State::kComplete);
  EXPECT_TRUE(h.expect_continue);
}

}  // namespace
}  // namespace phas
