// Transport failures are labelled by what happened (detail()) and say
// whether the request may still have been carried out (outcome_unknown()):
// the CURLcode mapping as a table, then each fault provoked for real against
// loopback servers that reset, hang, close, garble or never accept.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aws/http_transport.h"
#include "fake_server.h"

namespace phas::aws {
namespace {

using phas::testing::ScriptedSocketServer;
using phas::testing::SocketServer;
using phas::testing::SocketStep;
using std::chrono::milliseconds;
using Kind = SocketStep::Kind;
namespace label = transport_error;

TEST(StatusOutcomeTest, FlagIsKeptByCopiesAndNeverSetOnOk) {
  Status st = Status::Unavailable("POST http://x/: reset");
  EXPECT_FALSE(st.outcome_unknown());
  Status unknown = st.WithOutcomeUnknown();
  EXPECT_TRUE(unknown.outcome_unknown());
  EXPECT_FALSE(st.outcome_unknown()) << "a copy, the original unchanged";
  EXPECT_TRUE(unknown.WithContext("autoscaling SetDesiredCapacity")
                  .WithDetail("connection_reset")
                  .outcome_unknown());
  EXPECT_EQ(unknown.WithContext("ctx").message(), "ctx: POST http://x/: reset");
  EXPECT_FALSE(Status::OK().WithOutcomeUnknown().outcome_unknown());
  EXPECT_TRUE(Status::OK().WithOutcomeUnknown().ok());
}

TEST(CurlFailureTest, MapsEveryCurlCodeToALabel) {
  struct Case {
    CURLcode rc;
    bool sent;
    // expected
    const char* detail;
    Status::Code code;
    bool retryable;
    bool unknown;
  };
  using C = Status::Code;
  const Case cases[] = {
      {CURLE_OPERATION_TIMEDOUT, true, label::kTimeout, C::kDeadlineExceeded,
       true, true},
      {CURLE_OPERATION_TIMEDOUT, false, label::kConnectTimeout,
       C::kDeadlineExceeded, true, false},
      {CURLE_COULDNT_CONNECT, false, label::kConnectionRefused, C::kUnavailable,
       true, false},
      {CURLE_COULDNT_RESOLVE_HOST, false, label::kDns, C::kUnavailable, true,
       false},
      {CURLE_COULDNT_RESOLVE_PROXY, false, label::kDns, C::kUnavailable, true,
       false},
      {CURLE_RECV_ERROR, true, label::kConnectionReset, C::kUnavailable, true,
       true},
      {CURLE_SEND_ERROR, true, label::kConnectionReset, C::kUnavailable, true,
       true},
      {CURLE_GOT_NOTHING, true, label::kConnectionReset, C::kUnavailable, true,
       true},
      {CURLE_PARTIAL_FILE, true, label::kConnectionReset, C::kUnavailable, true,
       true},
      {CURLE_HTTP2_STREAM, true, label::kConnectionReset, C::kUnavailable, true,
       true},
      {CURLE_WEIRD_SERVER_REPLY, true, label::kMalformedResponse,
       C::kUnavailable, true, true},
      {CURLE_UNSUPPORTED_PROTOCOL, true, label::kMalformedResponse,
       C::kUnavailable, true, true},
      {CURLE_UNSUPPORTED_PROTOCOL, false, label::kInvalidUrl,
       C::kInvalidArgument, false, false},
      {CURLE_URL_MALFORMAT, false, label::kInvalidUrl, C::kInvalidArgument,
       false, false},
      {CURLE_SSL_CONNECT_ERROR, false, label::kTls, C::kUnavailable, true,
       false},
      {CURLE_PEER_FAILED_VERIFICATION, false, label::kTls, C::kUnavailable,
       false, false},
      {CURLE_SSL_CACERT_BADFILE, false, label::kTls, C::kUnavailable, false,
       false},
      {CURLE_OUT_OF_MEMORY, false, label::kOther, C::kUnavailable, false,
       false},
      // Whatever goes wrong once the request is out, the peer may have acted.
      {CURLE_WRITE_ERROR, true, label::kOther, C::kUnavailable, false, true},
  };
  HttpCall call;
  call.method = "POST";
  call.url = "https://autoscaling.us-east-1.amazonaws.com/";
  call.headers = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSECRET"}};
  call.body = "Action=SetDesiredCapacity&secret-body";
  for (const Case& tc : cases) {
    SCOPED_TRACE(std::string(curl_easy_strerror(tc.rc)) +
                 (tc.sent ? ", sent" : ", not sent"));
    Status st = CurlFailure(tc.rc, tc.sent, call, "");
    EXPECT_EQ(st.detail(), tc.detail);
    EXPECT_EQ(st.code(), tc.code);
    EXPECT_EQ(st.retryable(), tc.retryable);
    EXPECT_EQ(st.outcome_unknown(), tc.unknown);
    EXPECT_EQ(st.message().rfind("POST " + call.url + ": ", 0), 0u)
        << st.message();
    EXPECT_EQ(st.message().find("AKIDSECRET"), std::string::npos);
    EXPECT_EQ(st.message().find("secret-body"), std::string::npos);
  }
  EXPECT_EQ(
      CurlFailure(CURLE_RECV_ERROR, true, call, "Connection reset").message(),
      "POST " + call.url + ": Connection reset");
}

// A listener whose accept queue is full and never drained: the kernel drops
// further SYNs, so connecting times out (nothing is ever sent).
class FullBacklogListener {
 public:
  FullBacklogListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 0);
    for (int i = 0; i < 3; ++i) {  // fill the queue
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(c, reinterpret_cast<sockaddr*>(&a), len);
      fillers_.push_back(c);
    }
  }
  ~FullBacklogListener() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  int fd_;
  int port_;
  std::vector<int> fillers_;
};

TEST(CurlTransportFaultTest, LabelsWhatHappenedToTheExchange) {
  struct Case {
    const char* name;
    SocketStep step;
    // expected
    const char* detail;
    bool unknown;
    const char* words = "";  // in the message
  };
  const Case cases[] = {
      {"reset after the request",
       {Kind::kReset},
       label::kConnectionReset,
       true},
      {"closed without an answer",
       {Kind::kClose},
       label::kConnectionReset,
       true},
      {"closed mid-answer",
       {Kind::kPartialAnswer},
       label::kConnectionReset,
       true},
      {"not HTTP", {Kind::kNotHttp}, label::kMalformedResponse, true},
      {"no answer in time", {Kind::kHang}, label::kTimeout, true},
      {"an answer past the size limit",
       {Kind::kAnswer, 200, std::string(5000, 'x')},
       label::kMalformedResponse,
       true,
       "the answer is longer than 1000 bytes"},
  };
  CurlTransport transport;
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    // A good exchange first, leaving a connection to reuse as the daemon
    // has; the change goes on a fresh one and is sent exactly once.
    ScriptedSocketServer server({{Kind::kAnswer, 200, "<ok/>"}, tc.step});
    HttpCall call;
    call.method = "POST";
    call.url = server.url() + "/";
    call.body = "Action=SetDesiredCapacity";
    call.timeout = milliseconds(300);
    call.max_reply_bytes = 1000;
    ASSERT_TRUE(transport.Send(call).ok());
    call.fresh_connection = true;
    auto r = transport.Send(call);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(server.count(), 2) << "sent once";
    EXPECT_EQ(r.status().detail(), tc.detail) << r.status().ToString();
    EXPECT_EQ(r.status().outcome_unknown(), tc.unknown);
    EXPECT_TRUE(r.status().retryable());
    EXPECT_NE(r.status().message().find(call.url), std::string::npos);
    EXPECT_NE(r.status().message().find(tc.words), std::string::npos)
        << r.status().message();
  }
  // An answer of exactly the limit reads.
  ScriptedSocketServer server({{Kind::kAnswer, 200, std::string(1000, 'x')}});
  HttpCall call;
  call.url = server.url() + "/";
  call.timeout = milliseconds(300);
  call.max_reply_bytes = 1000;
  auto r = transport.Send(call);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 1000u);
}

TEST(CurlTransportFaultTest, FailuresBeforeSendingAreDefinite) {
  CurlTransport transport;
  HttpCall call;
  call.method = "POST";
  call.connect_timeout = milliseconds(200);
  call.timeout = milliseconds(1000);

  call.url = "http://127.0.0.1:1/";  // nothing listens
  auto refused = transport.Send(call);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().detail(), label::kConnectionRefused);
  EXPECT_FALSE(refused.status().outcome_unknown());

  FullBacklogListener full;
  call.url = full.url() + "/";
  auto slow = transport.Send(call);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().detail(), label::kConnectTimeout)
      << slow.status().ToString();
  EXPECT_EQ(slow.status().code(), Status::Code::kDeadlineExceeded);
  EXPECT_FALSE(slow.status().outcome_unknown());

  // TLS to a server that answers the ClientHello in plain text.
  SocketServer plain([](int fd) {
    phas::testing::SendAll(fd, "HTTP/1.1 400 Bad Request\r\n\r\n");
  });
  call.url = "https://127.0.0.1:" + std::to_string(plain.port()) + "/";
  auto tls = transport.Send(call);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().detail(), label::kTls) << tls.status().ToString();
  EXPECT_FALSE(tls.status().outcome_unknown());
}

}  // namespace
}  // namespace phas::aws
