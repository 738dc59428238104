// The predictor over real sockets: the answer of the original's clients, the
// other routes, and a hostile battery after which the server must still be
// up and answering correctly.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

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

const char* kGood =
    R"({"features": [45.2, 56.2, 160.8, 203.4, 21696000000, 0.2, 1.9941, "network", "low"]})";

class PredictorServerTest : public ::testing::Test {
 protected:
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
  RawResponse h = Roundtrip("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(h.status, 200);
  json j = json::parse(h.body);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["model"]["loaded"], true);
  EXPECT_EQ(j["model"]["name"], "seed-original");
  EXPECT_EQ(j["model"]["version"], "1.0.0");

  ExpectGoodAnswer();
  Roundtrip(PostRequest("/predict", "{"));
  RawResponse m = Roundtrip("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
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
      {"GET /predict", "GET /predict HTTP/1.1\r\nHost: x\r\n\r\n", 405,
       "method"},
      {"DELETE /health", "DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n", 405,
       "method"},
      {"unknown path", "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n", 404, "path"},
      {"path traversal", "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
       404, "path"},
      {"tls handshake",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), 400,
       nullptr},
      {"chunked body",
       "POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
       "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       411, nullptr},
      {"bad content-length",
       "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
       nullptr},
      {"http/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, nullptr},
      {"http/2 request line", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 400,
       "version"},
      {"bare LF line endings", "GET /health HTTP/1.1\nHost: x\n\n", 400, ""},
      {"bare LF after a header", "GET /health HTTP/1.1\r\nHost: x\n\n", 400,
       "headers"},
      {"header flood",
       "GET /health HTTP/1.1\r\n" + std::string(20000, 'X') + "\r\n\r\n", 431,
       nullptr},
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
  RawResponse m = Roundtrip("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(m.body.find("status=\"5"), std::string::npos)
      << "no 5xx was ever answered";
}

TEST_F(PredictorServerTest, SlowClientsAreCutOffAndOthersServed) {
  RawConnection slow(server_->port());
  ASSERT_TRUE(slow.Send(
      "POST /predict HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"feat"));
  ExpectGoodAnswer();  // a slow client does not block others
  RawResponse r = slow.Read(4000);
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(slow.ClosedByPeer());
}

TEST_F(PredictorServerTest, ClientThatDisconnectsMidRequest) {
  for (int i = 0; i < 20; ++i) {
    RawConnection c(server_->port());
    c.Send(
        "POST /predict HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{\"features\":");
  }
  ExpectGoodAnswer();
}

TEST_F(PredictorServerTest, ExpectContinue) {
  RawConnection c(server_->port());
  std::string body = kGood;
  ASSERT_TRUE(
      c.Send("POST /predict HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
             "Content-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n"));
  RawResponse cont = c.Read();
  EXPECT_EQ(cont.status, 100);
  ASSERT_TRUE(c.Send(body));
  EXPECT_EQ(c.Read().status, 200);
}

}  // namespace
}  // namespace phas
