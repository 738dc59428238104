// HttpServer's connection handling over real sockets, with its time on a
// ManualClock: timeouts, the lingering close after an error, and what a
// client must not be able to make the server hold. No test sleeps: each
// moves the clock and waits for what the server does.
#include "http/http_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/http_worker.h"
#include "raw_http_client.h"

namespace phas {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using testing::PostRequest;
using testing::RawConnection;
using testing::RawResponse;
using testing::WaitUntil;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : clock_(FromUnixSeconds(1e9)) {
    options_.port = 0;
    options_.threads = 1;
    options_.max_body_bytes = 64 * 1024;
    options_.clock = &clock_;
    options_.timer_interval_ms = 5;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // Starts a server that answers every request with {"bytes": body size}.
  void Start() {
    server_ = std::make_unique<HttpServer>(
        options_, [](const HttpRequest& q, HttpResponse& r) {
          r.body = json{{"bytes", q.body.size()}}.dump();
        });
    ASSERT_TRUE(server_->Start().ok());
  }
  HttpServerStats Stats() const { return server_->stats(); }

  // Sends bytes and waits until the server has read them, so that the clock
  // moves only after the server saw them.
  void SendAndWaitRead(RawConnection& c, const std::string& bytes) {
    uint64_t before = Stats().bytes_received;
    ASSERT_TRUE(c.Send(bytes));
    ASSERT_TRUE(WaitUntil(
        [&] { return Stats().bytes_received >= before + bytes.size(); }));
  }

  // Sends a request whose Content-Length is over the limit, with the start
  // of its body, reads the 413 and waits for the lingering close to begin.
  void AnswerOversizedAndLinger(RawConnection& c) {
    ASSERT_TRUE(
        c.Send("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
               "1000000\r\n\r\n" +
               std::string(1000, 'x')));
    RawResponse r = c.Read();
    ASSERT_EQ(r.status, 413) << r.head;
    EXPECT_EQ(json::parse(r.body)["field"], "body");
    ASSERT_TRUE(WaitUntil([&] { return Stats().lingering_connections == 1; }));
  }

  // Waits until the server has closed every connection.
  bool AllClosed() {
    return WaitUntil([&] {
      HttpServerStats st = Stats();
      return st.open_connections == 0 && st.lingering_connections == 0;
    });
  }

  ManualClock clock_;
  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, IdleConnectionClosedAfterIdleTimeout) {
  options_.idle_timeout_seconds = 60;
  Start();
  RawConnection c(server_->port());
  SendAndWaitRead(c, "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(c.Read().status, 200);
  clock_.Advance(seconds(61));
  EXPECT_TRUE(c.ClosedByPeer(5000));
  EXPECT_TRUE(AllClosed());
}

// The request timeout runs from a request's first byte: a client that
// trickles a byte now and then cannot hold a connection open.
TEST_F(HttpServerTest, TricklingRequestGets408AfterRequestTimeout) {
  options_.request_timeout_seconds = 10;
  Start();
  RawConnection c(server_->port());
  SendAndWaitRead(
      c, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
  for (int i = 0; i < 4; ++i) {  // 12 s, a byte every 3 s
    clock_.Advance(seconds(3));
    SendAndWaitRead(c, "x");
  }
  RawResponse r = c.Read();
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(json::parse(r.body)["error"], "request not completed in time");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, LingeringCloseEndsWhenTheClientCloses) {
  Start();
  {
    RawConnection c(server_->port());
    ASSERT_NO_FATAL_FAILURE(AnswerOversizedAndLinger(c));
    EXPECT_TRUE(c.ClosedByPeer()) << "the server shuts down its write side";
    SendAndWaitRead(c, std::string(5000, 'y'));  // still read and discarded
  }
  EXPECT_TRUE(AllClosed());
}

TEST_F(HttpServerTest, LingeringCloseEndsWhenTheClientPauses) {
  options_.lingering_timeout_seconds = 5;
  Start();
  RawConnection c(server_->port());
  ASSERT_NO_FATAL_FAILURE(AnswerOversizedAndLinger(c));
  clock_.Advance(seconds(6));
  EXPECT_TRUE(AllClosed());
}

// A client that keeps sending, each time within the lingering timeout, is
// still cut off after lingering_time in all.
TEST_F(HttpServerTest, LingeringCloseEndsAfterLingeringTime) {
  options_.lingering_timeout_seconds = 5;
  options_.lingering_time_seconds = 30;
  Start();
  RawConnection c(server_->port());
  ASSERT_NO_FATAL_FAILURE(AnswerOversizedAndLinger(c));
  // Each byte is read only if the check at the previous time kept the
  // connection: it lingers past the 5 s timeout while bytes come.
  for (int i = 0; i < 7; ++i) {  // up to 28 s
    clock_.Advance(seconds(4));
    SendAndWaitRead(c, "z");
  }
  EXPECT_EQ(Stats().open_connections, 1);
  clock_.Advance(seconds(4));  // 32 s
  c.Send("z");
  EXPECT_TRUE(AllClosed());
}

TEST_F(HttpServerTest, LingeringCloseEndsAfterLingeringMaxBytes) {
  options_.lingering_max_bytes = 256 * 1024;
  Start();
  RawConnection c(server_->port());
  ASSERT_NO_FATAL_FAILURE(AnswerOversizedAndLinger(c));
  // The clock stands still: only the byte bound can end it.
  c.Send(std::string(1024 * 1024, 'w'));
  EXPECT_TRUE(AllClosed());
  EXPECT_LE(Stats().bytes_received, 256 * 1024 + 200 * 1024)
      << "stopped reading soon after the bound";
}

// The CRLF some clients send after a POST body (RFC 9112 2.2: ignore it)
// begins no request: the connection is idle, not late. It was taken for a
// request not completed in time, and the 408 then came as the answer to the
// connection's next request.
TEST_F(HttpServerTest, AnEmptyLineAfterARequestIsNotARequest) {
  options_.request_timeout_seconds = 10;
  Start();
  RawConnection c(server_->port());
  SendAndWaitRead(c, PostRequest("/a", "{}") + "\r\n");
  EXPECT_EQ(c.Read().status, 200);
  // A request that is late at the same check: its 408 shows the check ran.
  RawConnection late(server_->port());
  SendAndWaitRead(late, "GET /a HTTP/1.1\r\nHost: x\r\n");
  clock_.Advance(seconds(11));
  EXPECT_EQ(late.Read().status, 408);
  ASSERT_TRUE(c.Send("GET /b HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  RawResponse r = c.Read();
  EXPECT_EQ(r.status, 200) << r.body;
}

// Bound to loopback, the server answers requests that name it by address
// or as localhost, and refuses others (421, naming Host): a web page in the
// host's browser whose name was made to resolve to 127.0.0.1 (DNS
// rebinding) read /status and /metrics, and could post to /predict.
TEST_F(HttpServerTest, OnLoopbackARequestForAnotherNameIsRefused) {
  Start();
  struct Case {
    const char* host;  // nullptr: no Host header (HTTP/1.0)
    int status;
  };
  const Case cases[] = {
      {"localhost", 200},
      {"LocalHost:8000", 200},
      {"127.0.0.1:9464", 200},
      {"[::1]:9464", 200},
      {"10.1.2.3", 200},
      {nullptr, 200},
      {"evil.example", 421},
      {"evil.example:9464", 421},
      {"localhost.evil.example", 421},
      {"[not-an-address]", 421},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.host ? tc.host : "(none)");
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(tc.host ? std::string("GET /a HTTP/1.1\r\nHost: ") +
                                     tc.host + "\r\n\r\n"
                               : std::string("GET /a HTTP/1.0\r\n\r\n")));
    RawResponse r = c.Read();
    EXPECT_EQ(r.status, tc.status) << r.head << r.body;
    if (tc.status == 421) {
      EXPECT_EQ(json::parse(r.body)["field"], "Host");
    }
  }
}

// The name the server was told to listen on is its own (`--host vm`, vm
// resolving to 127.0.1.1: its watchdog asks http://vm:port/health, and got
// 421, so systemd restarted the predictor every WatchdogSec).
TEST(HostReachesLoopbackTest, AddressesLocalhostAndTheListenName) {
  struct Case {
    const char* host;
    const char* listen;
    bool reaches;
  };
  const Case cases[] = {
      {"vm:8000", "vm", true},
      {"VM.", "vm", true},
      {"vm", "127.0.0.1", false},
      {"localhost.:9464", "127.0.0.1", true},
      {"127.0.0.1", "vm", true},
      {"[::ffff:127.0.0.1]:1", "::1", true},
      {"other:8000", "vm", false},
      {"vm.evil.example", "vm", false},
      {"", "vm", true},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(std::string(tc.host) + " / " + tc.listen);
    EXPECT_EQ(http_internal::HostReachesLoopback(tc.host, tc.listen),
              tc.reaches);
  }
}

// An error answered to a pipelining client: the requests after it are not
// answered, the connection lingers like after any error.
TEST_F(HttpServerTest, ErrorInAPipelineEndsIt) {
  Start();
  RawConnection c(server_->port());
  std::string good = PostRequest("/a", "{}");
  ASSERT_TRUE(c.Send(good + "GET / HTTP/9.9\r\n\r\n" + good));
  EXPECT_EQ(c.Read().status, 200);
  RawResponse r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["field"], "version");
  EXPECT_TRUE(c.ClosedByPeer());
}

// A HEAD request's answer is the head a GET would get (its Content-Length
// included) and no body, whatever the handler put there: a client reads no
// body after it, so body bytes would be taken for the next answer.
TEST_F(HttpServerTest, HeadAnswersCarryNoBody) {
  server_ = std::make_unique<HttpServer>(
      options_, [](const HttpRequest& q, HttpResponse& r) {
        if (q.path == "/missing") {
          r.status = 404;
          r.body = HttpServer::ErrorBody("no route", "path");
        } else {
          r.body = json{{"path", q.path}}.dump();
        }
      });
  ASSERT_TRUE(server_->Start().ok());
  struct Case {
    const char* path;
    // expected
    int status;
  };
  const Case cases[] = {{"/a", 200}, {"/missing", 404}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.path);
    RawConnection c(server_->port());
    std::string path = tc.path;
    ASSERT_TRUE(c.Send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                       "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                       "GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    RawResponse get = c.Read();
    ASSERT_EQ(get.status, tc.status);
    RawResponse head = c.ReadHeadAnswer();
    EXPECT_EQ(head.status, tc.status) << head.head;
    EXPECT_NE(head.head.find("Content-Length: " +
                             std::to_string(get.body.size()) + "\r\n"),
              std::string::npos)
        << head.head;
    RawResponse after = c.Read();
    EXPECT_EQ(after.status, 200)
        << "the HEAD answer's body came: " << after.head;
    EXPECT_EQ(after.body, R"({"path":"/after"})");
  }
}

// The server's own error answers (a request it could not read) follow the
// same rule: none for a HEAD request, which the connection's close made
// bytes of junk before it; a GET gets its JSON.
TEST_F(HttpServerTest, AHeadRequestThatCannotBeReadGetsNoBody) {
  Start();
  for (const std::string method : {"HEAD", "GET"}) {
    SCOPED_TRACE(method);
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(method +
                       " /a HTTP/1.1\r\nHost: localhost\r\nExpect: x\r\n\r\n"));
    RawResponse r = method == "HEAD" ? c.ReadHeadAnswer() : c.Read();
    EXPECT_EQ(r.status, 417) << r.head;
    if (method == "HEAD") {
      EXPECT_EQ(c.Buffered(), "") << "a body after the HEAD answer";
      EXPECT_TRUE(c.ClosedByPeer()) << "no body bytes before the close";
    } else {
      EXPECT_NE(r.body.find("error"), std::string::npos) << r.body;
    }
  }
}

// An HTTP/1.0 client keeps a connection only when the answer says
// "Connection: keep-alive" (RFC 9112 9.3); without it, one that asked for
// keep-alive (ab -k) waits for the close that does not come until the idle
// timeout.
TEST_F(HttpServerTest, ConnectionHeaderOfTheAnswer) {
  Start();
  struct Case {
    const char* name;
    std::string request;
    // expected
    const char* connection;  // the answer's Connection header; "" none
    bool open_after;
  };
  const Case cases[] = {
      {"1.0 asking keep-alive",
       "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", true},
      {"1.0", "GET /a HTTP/1.0\r\n\r\n", "close", false},
      {"1.1", "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n", "", true},
      {"1.1 asking close",
       "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
       "close", false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(tc.request));
    RawResponse r = c.Read();
    ASSERT_EQ(r.status, 200);
    size_t at = r.head.find("\r\nConnection: ");
    std::string connection =
        at == std::string::npos
            ? ""
            : r.head.substr(at + 14, r.head.find("\r\n", at + 2) - at - 14);
    EXPECT_EQ(connection, tc.connection) << r.head;
    if (tc.open_after) {
      ASSERT_TRUE(c.Send(tc.request));
      EXPECT_EQ(c.Read().status, 200);
    } else {
      EXPECT_TRUE(c.ClosedByPeer());
    }
  }
}

// With the process's descriptor table full, accept fails (EMFILE) and the
// listening socket stays ready: the worker looped on it at full CPU, the
// client left waiting. The server now closes such a connection at once
// (its spare descriptor makes room for the accept), and serves again when
// descriptors are free.
TEST_F(HttpServerTest, AConnectionPastTheDescriptorLimitIsClosed) {
  Start();
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(probe, 0);
  ::close(probe);
  // Restores the limit and frees the descriptors however the block ends
  // (a failed ASSERT would leave the whole test binary at the low limit).
  struct FullTable {
    rlimit old;
    std::vector<int> held;  // every descriptor below the limit
    ~FullTable() {
      for (int fd : held) ::close(fd);
      ::setrlimit(RLIMIT_NOFILE, &old);
    }
  };
  {
    FullTable full{old, {}};
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(probe) + 32;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) {
      full.held.push_back(fd);
    }
    ASSERT_FALSE(full.held.empty());
    ::close(full.held.back());  // the client's, and none for the server
    full.held.pop_back();
    RawConnection c(server_->port());
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c.ClosedByPeer()) << "not accepted: the worker spins on it";
  }
  RawConnection after(server_->port());
  ASSERT_TRUE(after.Send("GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(after.Read().status, 200);
}

}  // namespace
}  // namespace phas
