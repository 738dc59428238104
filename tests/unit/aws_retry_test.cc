// Retries as the SDKs' standard mode, against local fault-injecting
// endpoints: throttling, 5xx, timeouts, connection resets, clock skew. Counts
// attempts, checks the backoff, and the error left at the end.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "aws/query_client.h"
#include "aws/retry.h"
#include "fake_server.h"

namespace phas::aws {
namespace {

using phas::testing::FakeServer;
using phas::testing::RecordedRequest;
using phas::testing::ScriptedSocketServer;
using phas::testing::SocketStep;
using std::chrono::milliseconds;

// A clock that records requested sleeps and advances virtual time by them.
class RecordingClock final : public Clock {
 public:
  explicit RecordingClock(TimePoint t) : now_(t) {}
  TimePoint Now() const override { return now_; }
  void SleepFor(Duration d) override {
    sleeps.push_back(std::chrono::duration_cast<milliseconds>(d));
    now_ += d;
  }
  std::vector<milliseconds> sleeps;

 private:
  TimePoint now_;
};

const char* kOk =
    R"(<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
<DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult>
<ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>)";

std::string ErrorXml(const std::string& code) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code +
         "</Code><Message>injected " + code +
         "</Message></Error><RequestId>req-" + code +
         "</RequestId></ErrorResponse>";
}

// An endpoint that answers the first `failures` requests with `status` and
// `code`, and then succeeds.
struct Script {
  int failures;
  int status;
  std::string code;
};

class RetryTest : public ::testing::Test {
 protected:
  std::unique_ptr<QueryClient> Client(const std::string& url,
                                      RetryOptions opts = {}) {
    ServiceEndpoint ep{"autoscaling", "autoscaling", "2011-01-01",
                       url,           "us-east-1",   "test"};
    auto creds = std::make_shared<StaticCredentialsProvider>(Credentials{
        "AKIDEXAMPLE", "retry-test-secret", "", std::nullopt, "static"});
    return std::make_unique<QueryClient>(ep, std::make_shared<CurlTransport>(),
                                         creds, &clock_, opts,
                                         [] { return 0.5; });
  }
  // Real time: the fake servers' Date headers carry real time, and a large
  // difference would (rightly) be taken for clock skew.
  RecordingClock clock_{std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now())};
};

TEST_F(RetryTest, ScriptedFaults) {
  struct Case {
    const char* name;
    Script script;
    // expected
    int attempts;
    bool ok;
    std::vector<milliseconds> sleeps;  // with jitter fixed at 0.5
    Status::Code code;
    bool outcome_unknown = false;  // when the call fails
  };
  const Case cases[] = {
      {"throttled twice then ok",
       {2, 400, "Throttling"},
       3,
       true,
       {milliseconds(250), milliseconds(500)},
       Status::Code::kOk},
      {"throttled always",
       {9, 400, "Throttling"},
       3,
       false,
       {milliseconds(250), milliseconds(500)},
       Status::Code::kUnavailable},
      {"ec2 RequestLimitExceeded",
       {1, 503, "RequestLimitExceeded"},
       2,
       true,
       {milliseconds(250)},
       Status::Code::kOk},
      {"500 always",
       {9, 500, "InternalFailure"},
       3,
       false,
       {milliseconds(50), milliseconds(100)},
       Status::Code::kUnavailable,
       /*outcome_unknown=*/true},
      {"503 once",
       {1, 503, "ServiceUnavailable"},
       2,
       true,
       {milliseconds(50)},
       Status::Code::kOk},
      {"502 without AWS body",
       {1, 502, ""},
       2,
       true,
       {milliseconds(50)},
       Status::Code::kOk},
      {"access denied: no retry",
       {9, 403, "AccessDenied"},
       1,
       false,
       {},
       Status::Code::kPermissionDenied},
      {"validation error: no retry",
       {9, 400, "ValidationError"},
       1,
       false,
       {},
       Status::Code::kInvalidArgument},
      {"bad signature: no retry",
       {9, 403, "SignatureDoesNotMatch"},
       1,
       false,
       {},
       Status::Code::kPermissionDenied},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::atomic<int> seen{0};
    Script s = tc.script;
    FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
      if (seen++ < s.failures) {
        r.status = s.status;
        r.body = s.code.empty() ? "<html>bad gateway</html>" : ErrorXml(s.code);
      } else {
        r.body = kOk;
      }
    });
    clock_.sleeps.clear();
    auto client = Client(server.url());
    int reported_attempts = 0;
    client->set_observer(
        [&](const CallRecord& rec) { reported_attempts = rec.attempts; });
    auto r = client->Call("DescribeAutoScalingGroups", {});
    EXPECT_EQ(r.ok(), tc.ok) << r.status().ToString();
    EXPECT_EQ(static_cast<int>(server.count()), tc.attempts);
    EXPECT_EQ(reported_attempts, tc.attempts);
    EXPECT_EQ(clock_.sleeps, tc.sleeps);
    if (!tc.ok) {
      EXPECT_EQ(r.status().code(), tc.code) << r.status().ToString();
      EXPECT_EQ(r.status().detail(), tc.script.code);
      EXPECT_EQ(r.status().outcome_unknown(), tc.outcome_unknown);
      // The final error says what happened, and names the request id.
      EXPECT_NE(r.status().message().find("req-" + tc.script.code),
                std::string::npos);
      if (tc.attempts > 1) {
        EXPECT_NE(r.status().message().find("after 3 attempts"),
                  std::string::npos)
            << r.status().message();
      }
      EXPECT_EQ(r.status().message().find("retry-test-secret"),
                std::string::npos);
    }
  }
}

// An error answer whose code is not an AWS error code (bytes that are not
// UTF-8, a page of text) is classified by its HTTP status, and its body
// quoted: the code becomes a status detail and a Prometheus label, where
// such text broke the whole scrape.
TEST_F(RetryTest, AnErrorCodeThatIsNotAnIdentifierIsNotTakenForOne) {
  for (const std::string& code :
       {std::string("Bad\xff"
                    "Code"),
        std::string(200, 'A'), std::string("Access Denied")}) {
    SCOPED_TRACE(code);
    FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
      r.status = 400;
      r.body = ErrorXml(code);
    });
    auto r = Client(server.url())->Call("DescribeAutoScalingGroups", {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().detail(), "HTTP400");
    EXPECT_NE(r.status().message().find("HTTP400: <ErrorResponse>"),
              std::string::npos)
        << r.status().message();
  }
}

TEST_F(RetryTest, TimeoutsAreRetriedAndReported) {
  std::atomic<int> seen{0};
  FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
    if (seen++ < 2) std::this_thread::sleep_for(milliseconds(700));
    r.body = kOk;
  });
  RetryOptions opts;
  opts.request_timeout = milliseconds(250);
  auto client = Client(server.url(), opts);
  auto r = client->Call("DescribeAutoScalingGroups", {});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(clock_.sleeps.size(), 2u);

  seen = -100;  // always slow now
  auto r2 = client->Call("DescribeAutoScalingGroups", {});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), Status::Code::kDeadlineExceeded);
  EXPECT_EQ(r2.status().detail(), "timeout");
  EXPECT_TRUE(r2.status().outcome_unknown());
  EXPECT_NE(r2.status().message().find("after 3 attempts"), std::string::npos);
}

TEST_F(RetryTest, ConnectionResetAndRefused) {
  ScriptedSocketServer rst({SocketStep(SocketStep::Kind::kReset)});
  auto client = Client(rst.url());
  auto r = client->Call("DescribeAutoScalingGroups", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(rst.count(), 3);
  EXPECT_TRUE(r.status().retryable());
  EXPECT_EQ(r.status().detail(), "connection_reset");
  EXPECT_TRUE(r.status().outcome_unknown());
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos);

  // Nothing listens: connection refused, retried, then a clear error.
  auto refused = Client("http://127.0.0.1:1");
  auto r2 = refused->Call("DescribeAutoScalingGroups", {});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(clock_.sleeps.size(), 4u);
  EXPECT_NE(r2.status().message().find("127.0.0.1:1"), std::string::npos)
      << r2.status().message();
  EXPECT_EQ(r2.status().detail(), "connection_refused");
  EXPECT_FALSE(r2.status().outcome_unknown());
}

// When a reused connection dies before a byte of the answer, libcurl resends
// the request on a new connection by itself: a change would be carried out
// twice while phas counts one attempt (and may even see a success). Changes
// go on a fresh connection; reads keep reusing theirs.
TEST_F(RetryTest, AChangeIsNeverResentBehindTheRetries) {
  using Kind = SocketStep::Kind;
  ScriptedSocketServer server(
      {{Kind::kAnswer, 200, kOk}, {Kind::kReset}, {Kind::kAnswer, 200, kOk}});
  RetryOptions opts;
  opts.max_attempts = 1;
  auto client = Client(server.url(), opts);
  ASSERT_TRUE(client->Call("DescribeAutoScalingGroups", {}).ok());
  auto r = client->Call("SetDesiredCapacity", {{"DesiredCapacity", "3"}});
  EXPECT_EQ(server.count(), 2) << "SetDesiredCapacity sent more than once";
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().detail(), "connection_reset");
  EXPECT_TRUE(r.status().outcome_unknown());
}

// Whether a failed call may have been carried out, attempt by attempt: one
// attempt that may have reached the service makes the whole call unknown,
// even when a later attempt is a clean rejection.
TEST_F(RetryTest, OutcomeOfAFailedCall) {
  using Kind = SocketStep::Kind;
  const SocketStep ok{Kind::kAnswer, 200, "<SetDesiredCapacityResponse/>"};
  const SocketStep garbage200{Kind::kAnswer, 200, "this is not XML"};
  const SocketStep empty200{Kind::kAnswer, 200, ""};
  // XML, but not the answer asked for: a proxy's page, another action's.
  const SocketStep html200{Kind::kAnswer, 200,
                           "<html><body>Proxy error</body></html>"};
  const SocketStep other200{Kind::kAnswer, 200, kOk};
  const SocketStep internal{Kind::kAnswer, 500, ErrorXml("InternalFailure")};
  const SocketStep bad_gateway{Kind::kAnswer, 502, "<html>bad gateway</html>"};
  const SocketStep throttled{Kind::kAnswer, 400, ErrorXml("Throttling")};
  const SocketStep ec2_throttled{Kind::kAnswer, 503,
                                 ErrorXml("RequestLimitExceeded")};
  const SocketStep invalid{Kind::kAnswer, 400, ErrorXml("ValidationError")};
  const SocketStep denied{Kind::kAnswer, 403, ErrorXml("AccessDenied")};
  const SocketStep reset{Kind::kReset};
  const SocketStep hang{Kind::kHang};
  struct Case {
    const char* name;
    std::vector<SocketStep> script;
    // expected
    int attempts;
    bool ok;
    std::string detail;
    bool outcome_unknown;
  };
  const Case cases[] = {
      {"malformed 200 then ok", {garbage200, ok}, 2, true, "", false},
      {"malformed 200 always",
       {garbage200},
       3,
       false,
       "malformed_response",
       true},
      {"empty 200 always", {empty200}, 3, false, "malformed_response", true},
      {"html 200 always", {html200}, 3, false, "malformed_response", true},
      {"another action's 200 then ok", {other200, ok}, 2, true, "", false},
      {"500 then validation error",
       {internal, invalid},
       2,
       false,
       "ValidationError",
       true},
      {"502 always", {bad_gateway}, 3, false, "HTTP502", true},
      {"reset then validation error",
       {reset, invalid},
       2,
       false,
       "ValidationError",
       true},
      {"timeout then access denied",
       {hang, denied},
       2,
       false,
       "AccessDenied",
       true},
      {"reset then ok", {reset, ok}, 2, true, "", false},
      {"throttled then validation error",
       {throttled, invalid},
       2,
       false,
       "ValidationError",
       false},
      {"throttled always", {throttled}, 3, false, "Throttling", false},
      {"ec2 throttled (503) always",
       {ec2_throttled},
       3,
       false,
       "RequestLimitExceeded",
       false},
      {"validation error", {invalid}, 1, false, "ValidationError", false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ScriptedSocketServer server(tc.script);
    RetryOptions opts;
    opts.request_timeout = milliseconds(250);
    auto client = Client(server.url(), opts);
    Status observed;
    client->set_observer([&](const CallRecord& rec) { observed = rec.status; });
    auto r = client->Call("SetDesiredCapacity", {});
    EXPECT_EQ(server.count(), tc.attempts);
    ASSERT_EQ(r.ok(), tc.ok) << r.status().ToString();
    if (tc.ok) continue;
    EXPECT_EQ(r.status().detail(), tc.detail) << r.status().ToString();
    EXPECT_EQ(r.status().outcome_unknown(), tc.outcome_unknown);
    EXPECT_EQ(observed.outcome_unknown(), tc.outcome_unknown)
        << "the metrics observer sees the same outcome";
    EXPECT_EQ(observed.detail(), tc.detail);
  }
}

TEST_F(RetryTest, ClockSkewIsCorrectedFromTheServerDate) {
  // The server's clock is one hour ahead of ours; it rejects requests whose
  // X-Amz-Date is more than 5 minutes off its own time.
  TimePoint server_now = clock_.Now() + std::chrono::hours(1);
  std::string server_date = [&] {
    time_t t = std::chrono::system_clock::to_time_t(server_now);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf);
  }();
  FakeServer server([&](const RecordedRequest& q, HttpResponse& r) {
    TimePoint sent;
    std::string d = q.Header("x-amz-date");
    std::string iso = d.substr(0, 4) + "-" + d.substr(4, 2) + "-" +
                      d.substr(6, 2) + "T" + d.substr(9, 2) + ":" +
                      d.substr(11, 2) + ":" + d.substr(13, 2) + "Z";
    ParseIso8601(iso, &sent);
    r.headers.emplace_back("Date", server_date);
    if (sent < server_now - std::chrono::minutes(5)) {
      r.status = 400;
      r.body = ErrorXml("RequestTimeTooSkewed");
      return;
    }
    r.body = kOk;
  });
  auto client = Client(server.url());
  auto r = client->Call("DescribeAutoScalingGroups", {});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server.count(), 2u);
  EXPECT_EQ(clock_.sleeps, std::vector<milliseconds>{milliseconds(0)});
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::minutes>(client->clock_offset())
          .count(),
      60);
  // Later calls are signed with the corrected time from the start.
  ASSERT_TRUE(client->Call("DescribeAutoScalingGroups", {}).ok());
  EXPECT_EQ(server.count(), 3u);
}

TEST_F(RetryTest, RetryQuotaStopsRetryStorms) {
  FakeServer server([](const RecordedRequest&, HttpResponse& r) {
    r.status = 500;
    r.body = ErrorXml("InternalFailure");
  });
  RetryOptions opts;
  opts.quota_capacity = 12;  // two retries' worth (5 each)
  auto client = Client(server.url(), opts);
  ASSERT_FALSE(client->Call("DescribeAutoScalingGroups", {})
                   .ok());  // 3 attempts, 10 tokens
  EXPECT_EQ(server.count(), 3u);
  auto r =
      client->Call("DescribeAutoScalingGroups", {});  // 2 tokens left: no retry
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.count(), 4u);
  EXPECT_NE(r.status().message().find("retry quota exhausted"),
            std::string::npos);
}

TEST(RetryPolicyTest, Classification) {
  using std::chrono::seconds;
  struct Case {
    std::string code;
    int status;
    seconds skew;
    ErrorKind want;
  };
  const Case cases[] = {
      {"", 200, seconds(0), ErrorKind::kNone},
      {"Throttling", 400, seconds(0), ErrorKind::kThrottling},
      {"ThrottlingException", 400, seconds(0), ErrorKind::kThrottling},
      {"RequestLimitExceeded", 503, seconds(0), ErrorKind::kThrottling},
      {"", 429, seconds(0), ErrorKind::kThrottling},
      {"InternalFailure", 500, seconds(0), ErrorKind::kTransient},
      {"HTTP502", 502, seconds(0), ErrorKind::kTransient},
      {"HTTP504", 504, seconds(0), ErrorKind::kTransient},
      {"HTTP501", 501, seconds(0), ErrorKind::kPermanent},
      {"RequestTimeTooSkewed", 403, seconds(0), ErrorKind::kClockSkew},
      {"SignatureDoesNotMatch", 403, seconds(0), ErrorKind::kPermanent},
      {"SignatureDoesNotMatch", 403, seconds(600), ErrorKind::kClockSkew},
      {"AccessDenied", 403, seconds(600), ErrorKind::kPermanent},
      {"ValidationError", 400, seconds(0), ErrorKind::kPermanent},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.code + " " + std::to_string(tc.status));
    EXPECT_EQ(ClassifyAwsError(tc.code, tc.status, tc.skew), tc.want);
  }
}

TEST(RetryPolicyTest, BackoffIsCappedFullJitter) {
  RetryOptions o;
  EXPECT_EQ(BackoffDelay(o, ErrorKind::kTransient, 2, 0.0), Duration::zero());
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(
                BackoffDelay(o, ErrorKind::kTransient, 2, 0.999))
                .count(),
            99);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(
                BackoffDelay(o, ErrorKind::kThrottling, 4, 0.5))
                .count(),
            1000);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(
                BackoffDelay(o, ErrorKind::kThrottling, 5, 0.9))
                .count(),
            3600);
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(
                BackoffDelay(o, ErrorKind::kThrottling, 30, 1.0))
                .count(),
            20000);
}

}  // namespace
}  // namespace phas::aws
