// The predictor over real sockets: the answer of the original's clients, the
// other routes, and a hostile battery after which the server must still be
// up and answering correctly.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/metrics.h"
#include "http/http_server.h"
#include "predictor/service.h"
#include "raw_http_client.h"
#include "test_util.h"

namespace phas {
namespace {

using nlohmann::json;
using testing::PostRequest;
using testing::RawConnection;
using testing::RawResponse;
using testing::WaitUntil;

const char* kGood =
    R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]})";

class PredictorServerTest : public ::testing::Test {
 protected:
  PredictorServerTest() : clock_(FromUnixSeconds(1e9)) {}
  void SetUp() override {
    auto m = ModelBundle::Load(testing::TestData("seed-model"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    PredictorOptions popts;
    popts.max_batch = 100;
    service_ = std::make_shared<PredictorService>(*m, popts, &metrics_);
    HttpServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    opts.max_body_bytes = 256 * 1024;
    opts.request_timeout_seconds = 1;
    opts.clock = &clock_;  // timeouts pass when a test moves the clock
    opts.timer_interval_ms = 5;
    auto svc = service_;
    server_ = std::make_unique<HttpServer>(
        opts,
        [svc](const HttpRequest& q, HttpResponse& r) { svc->Handle(q, r); },
        [svc](std::string_view p, int s, double t) { svc->Observe(p, s, t); });
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  RawResponse Roundtrip(const std::string& bytes) {
    RawConnection c(server_->port());
    EXPECT_TRUE(c.ok());
    c.Send(bytes);
    return c.Read();
  }

  void ExpectGoodAnswer() {
    RawResponse r = Roundtrip(PostRequest("/predict", kGood));
    ASSERT_EQ(r.status, 200) << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["prediction"], 0);
    EXPECT_EQ(j["predicted_class"], "Low");
    EXPECT_EQ(j["action"], "scale_up");
    EXPECT_NEAR(j["probabilities"][0].get<double>(), 0.9999977350234985, 1e-9);
  }

  ManualClock clock_;
  MetricsRegistry metrics_;
  std::shared_ptr<PredictorService> service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(PredictorServerTest, AnswersLikeTheOriginal) { ExpectGoodAnswer(); }

TEST_F(PredictorServerTest, KeepAliveAndPipelining) {
  RawConnection c(server_->port());
  std::string req = PostRequest("/predict", kGood);
  ASSERT_TRUE(c.Send(req + req + req));
  for (int i = 0; i < 3; ++i) {
    RawResponse r = c.Read();
    EXPECT_EQ(r.status, 200) << i;
  }
  ASSERT_TRUE(c.Send(req));
  EXPECT_EQ(c.Read().status, 200);
}

TEST_F(PredictorServerTest, BatchAnswersInOrder) {
  std::string body =
      R"({"instances": [[45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"],
                        {"cpu_usage": 1, "memory_usage": 2, "network_traffic": 3, "power_consumption": 4,
                         "num_executed_instructions": 5, "execution_time": 6, "energy_efficiency": 0.5,
                         "task_type": "io", "task_priority": "high"}]})";
  RawResponse r = Roundtrip(PostRequest("/predict/batch", body));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  ASSERT_EQ(j["predictions"].size(), 2u);
  EXPECT_NEAR(j["predictions"][0]["probabilities"][0].get<double>(),
              0.9999977350234985, 1e-9);
}

TEST_F(PredictorServerTest, HealthAndMetrics) {
  RawResponse h = Roundtrip("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_EQ(h.status, 200);
  json j = json::parse(h.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["model"]["loaded"], true);
  EXPECT_EQ(j["model"]["name"], "seed-original");
  EXPECT_EQ(j["model"]["version"], "1.0.0");

  ExpectGoodAnswer();
  Roundtrip(PostRequest("/predict", "{"));
  RawResponse m = Roundtrip("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.head.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(phas_predictor_requests_total{route="/predict",status="200"} 1)"),
      std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find(
          R"(phas_predictor_requests_total{route="/predict",status="400"} 1)"),
      std::string::npos);
  EXPECT_NE(m.body.find(
                R"(phas_predictor_predictions_total{class="0",label="Low"} 1)"),
            std::string::npos);
  EXPECT_NE(
      m.body.find(
          R"(phas_predictor_request_duration_seconds_bucket{route="/predict",le="+Inf"} 2)"),
      std::string::npos);
}

TEST_F(PredictorServerTest, HostileBatteryAllFourXxServerStaysUp) {
  struct Case {
    const char* name;
    std::string bytes;
    // expected
    int status;
    const char* field;  // nullptr: don't check
  };
  std::string big(300 * 1024, ' ');
  std::string deep =
      "{\"features\": " + std::string(5000, '[') + std::string(5000, ']') + "}";
  std::string huge_batch = "{\"instances\": [";
  for (int i = 0; i < 101; ++i) {
    huge_batch += std::string(i ? "," : "") + R"([1,2,3,4,5,6,7,"io","low"])";
  }
  huge_batch += "]}";
  const Case cases[] = {
      {"malformed json", PostRequest("/predict", "{\"features\": [1,2"), 400,
       "features[2]"},
      {"empty body", PostRequest("/predict", ""), 400, ""},
      {"wrong count", PostRequest("/predict", R"({"features": [1,2,3]})"), 400,
       "features"},
      {"string for number",
       PostRequest("/predict",
                   R"({"features": ["45.2",2,3,4,5,6,7,"io","low"]})"),
       400, "features[0]"},
      {"unknown category",
       PostRequest("/predict", R"({"features": [1,2,3,4,5,6,7,"gpu","low"]})"),
       400, "features[7]"},
      {"NaN",
       PostRequest("/predict", R"({"features": [NaN,2,3,4,5,6,7,"io","low"]})"),
       400, "features[0]"},
      {"Infinity",
       PostRequest("/predict",
                   R"({"features": [1,2,3,Infinity,5,6,7,"io","low"]})"),
       400, "features[3]"},
      {"huge number",
       PostRequest("/predict",
                   R"({"features": [1,2,3,4,1e400,6,7,"io","low"]})"),
       400, "features[4]"},
      {"huge integer",
       PostRequest(
           "/predict",
           R"({"features": [1,2,3,4,123456789012345678901234567890,6,7,"io","low"]})"),
       200, nullptr},
      {"deep nesting", PostRequest("/predict", deep), 400, ""},
      {"body over server limit", PostRequest("/predict", big), 413, "body"},
      {"body over /predict limit",
       PostRequest("/predict", std::string(70 * 1024, ' ')), 413, "body"},
      {"batch over max", PostRequest("/predict/batch", huge_batch), 413,
       "instances"},
      {"wrong content type",
       PostRequest("/predict", kGood, "Content-Type: text/plain\r\n"), 415,
       "Content-Type"},
      {"form content type",
       PostRequest("/predict", kGood,
                   "Content-Type: application/x-www-form-urlencoded\r\n"),
       415, "Content-Type"},
      {"GET /predict", "GET /predict HTTP/1.1\r\nHost: localhost\r\n\r\n", 405,
       "method"},
      {"DELETE /health", "DELETE /health HTTP/1.1\r\nHost: localhost\r\n\r\n",
       405, "method"},
      {"unknown path", "GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n", 404,
       "path"},
      {"path traversal",
       "GET /../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n", 404,
       "path"},
      {"tls handshake",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), 400,
       nullptr},
      {"chunked body",
       "POST /predict HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
       "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       411, nullptr},
      {"bad content-length",
       "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
       "abc\r\n\r\n",
       400, nullptr},
      {"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, nullptr},
      {"http/2 request line", "GET /health HTTP/2.0\r\nHost: localhost\r\n\r\n",
       400, "version"},
      {"bare LF line endings", "GET /health HTTP/1.1\nHost: x\n\n", 400, ""},
      {"bare LF after a header", "GET /health HTTP/1.1\r\nHost: x\n\n", 400,
       "headers"},
      {"header flood",
       "GET /health HTTP/1.1\r\nHost: x\r\n" + std::string(20000, 'X') +
           "\r\n\r\n",
       431, nullptr},
      {"null byte in body",
       PostRequest("/predict", std::string("{\"features\": [1\0,2]}", 20)), 400,
       nullptr},
      {"top-level array", PostRequest("/predict", "[45.2, 56.2]"), 400, ""},
      {"utf-8 garbage", PostRequest("/predict", "{\"features\": \"\xc3\x28\"}"),
       400, nullptr},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    RawResponse r = Roundtrip(tc.bytes);
    EXPECT_EQ(r.status, tc.status) << r.body;
    if (tc.status >= 400) {
      json j = json::parse(r.body, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << r.body;
      EXPECT_TRUE(j.contains("error") && j["error"].is_string()) << r.body;
      ASSERT_TRUE(j.contains("field"));
      if (tc.field != nullptr) {
        if (std::string(tc.field).empty()) {
          EXPECT_TRUE(j["field"].is_null()) << r.body;
        } else {
          EXPECT_EQ(j["field"], tc.field) << r.body;
        }
      }
    }
  }
  ExpectGoodAnswer();
  RawResponse m = Roundtrip("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(m.body.find("status=\"5"), std::string::npos)
      << "no 5xx was ever answered";
}

// A client that sends a body far over max_body_bytes without waiting for
// 100-continue, then reads, as python's http.client does: it must be able to
// send it all and then read the whole 413, not be reset because the server
// closed with its bytes unread (python then raises ConnectionResetError from
// the send). The body goes out once the 413 has arrived, as python's does
// (head and body in two writes); sent in one write, the server may happen to
// read it all before it answers.
TEST_F(PredictorServerTest, BodyOverLimitSentWithoutWaitingGetsThe413) {
  RawConnection c(server_->port());
  std::string request = PostRequest("/predict", std::string(6 << 20, ' '));
  size_t head = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(c.Send(request.substr(0, head)));
  ASSERT_TRUE(c.WaitReadable());  // the 413, not read yet
  EXPECT_TRUE(c.Send(request.substr(head))) << "reset while sending the body";
  RawResponse r = c.Read();
  ASSERT_EQ(r.status, 413) << "no answer: the connection was reset";
  json j = json::parse(r.body);
  EXPECT_EQ(j["field"], "body");
  EXPECT_NE(j["error"].get<std::string>().find("larger than the limit"),
            std::string::npos)
      << r.body;
  ExpectGoodAnswer();
}

TEST_F(PredictorServerTest, SlowClientsAreCutOffAndOthersServed) {
  RawConnection slow(server_->port());
  std::string partial =
      "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"feat";
  uint64_t before = server_->stats().bytes_received;
  ASSERT_TRUE(slow.Send(partial));
  ASSERT_TRUE(WaitUntil([&] {
    return server_->stats().bytes_received >= before + partial.size();
  }));
  ExpectGoodAnswer();  // a slow client does not block others
  clock_.Advance(std::chrono::seconds(2));  // request_timeout_seconds = 1
  RawResponse r = slow.Read();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(slow.ClosedByPeer());
}

// A client that pipelines requests and never reads the answers: the server
// stops reading from it once the answers pile up (TCP then holds the client
// back), so what it buffers for the connection stays bounded, and others
// are served meanwhile.
TEST_F(PredictorServerTest, PipeliningClientThatNeverReadsIsHeldBack) {
  constexpr int kRequests = 200000;
  const std::string one = PostRequest("/predict", kGood);
  std::string all;
  all.reserve(one.size() * kRequests);
  for (int i = 0; i < kRequests; ++i) all += one;
  uint64_t before = server_->stats().bytes_received;
  RawConnection hostile(server_->port());
  std::atomic<bool> sent_all{false};
  std::thread sender([&] {
    hostile.Send(all);
    sent_all = true;
  });
  // Either the server holds the client back or it takes everything.
  EXPECT_TRUE(WaitUntil(
      [&] {
        HttpServerStats st = server_->stats();
        return st.read_paused_connections == 1 ||
               st.bytes_received >= before + all.size();
      },
      60000));
  ExpectGoodAnswer();
  HttpServerStats st = server_->stats();
  EXPECT_FALSE(sent_all) << "the server took all " << all.size() << " bytes";
  EXPECT_EQ(st.read_paused_connections, 1);
  // Unparsed input is at most one request's limits, pending output at most
  // max_pending_output_bytes plus one answer; each may hold up to as much
  // again of already handled bytes before it is compacted.
  HttpServerOptions defaults;
  uint64_t bound = 2 * (defaults.max_header_bytes + 256 * 1024 +
                        defaults.max_pending_output_bytes) +
                   64 * 1024;
  EXPECT_LE(st.max_connection_buffered_bytes, bound);
  std::printf("buffered high-water %llu bytes (bound %llu) of %zu sent\n",
              static_cast<unsigned long long>(st.max_connection_buffered_bytes),
              static_cast<unsigned long long>(bound), all.size());
  hostile.Shutdown();
  sender.join();
}

TEST_F(PredictorServerTest, ClientThatDisconnectsMidRequest) {
  for (int i = 0; i < 20; ++i) {
    RawConnection c(server_->port());
    c.Send(
        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "1000\r\n\r\n{\"features\":");
  }
  ExpectGoodAnswer();
}

// HEAD is answered on every route as GET would be, without a body, so the
// connection's next answer reads: a 404 or 405's JSON body sent after a HEAD
// answer was taken by the client for the start of the next one.
TEST_F(PredictorServerTest, HeadAnswersLeaveTheConnectionReadable) {
  struct Case {
    const char* path;
    // expected
    int status;
  };
  const Case cases[] = {
      {"/health", 200}, {"/metrics", 200}, {"/nope", 404}, {"/predict", 405}};
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.path);
    RawConnection c(server_->port());
    std::string path = tc.path;
    ASSERT_TRUE(c.Send("HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                       "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    RawResponse head = c.ReadHeadAnswer();
    EXPECT_EQ(head.status, tc.status) << head.head;
    EXPECT_EQ(head.head.find("Content-Length: 0\r\n"), std::string::npos)
        << "a HEAD answer's length is the GET answer's: " << head.head;
    RawResponse health = c.Read();
    ASSERT_EQ(health.status, 200) << health.head;
    EXPECT_EQ(json::parse(health.body)["status"], "ok");
  }
}

TEST_F(PredictorServerTest, ExpectContinue) {
  RawConnection c(server_->port());
  std::string body = kGood;
  ASSERT_TRUE(c.Send(
      "POST /predict HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n"));
  RawResponse cont = c.Read();
  EXPECT_EQ(cont.status, 100);
  ASSERT_TRUE(c.Send(body));
  EXPECT_EQ(c.Read().status, 200);
}

}  // namespace
}  // namespace phas
