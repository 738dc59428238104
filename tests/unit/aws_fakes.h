// The typed AWS clients' tests' fakes: a transport answering each request
// through a function of its form body, a fixture building clients over
// it, and readers of the recorded answers and the sent forms. Shared by
// aws_services_test.cc and aws_cloudwatch_test.cc.
#ifndef PHAS_TESTS_UNIT_AWS_FAKES_H_
#define PHAS_TESTS_UNIT_AWS_FAKES_H_

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/environment.h"
#include "aws/query_client.h"
#include "aws/session.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "test_util.h"

namespace phas::aws::fake {

inline std::string Recorded(const std::string& name) {
  return *ReadFile(phas::testing::TestData("aws/" + name));
}

using phas::testing::FormValue;

inline size_t CountPrefix(const std::string& body, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while ((pos = body.find(prefix, pos)) != std::string::npos) {
    ++n;
    pos += prefix.size();
  }
  return n;
}

// Answers each request through a function of its form body.
class FakeTransport final : public HttpTransport {
 public:
  using Fn = std::function<HttpReply(const std::string& body)>;
  explicit FakeTransport(Fn fn) : fn_(std::move(fn)) {}
  Result<HttpReply> Send(const HttpCall& call) override {
    std::lock_guard<std::mutex> lock(mu_);
    bodies.push_back(call.body);
    return fn_(call.body);
  }
  std::vector<std::string> bodies;

 private:
  std::mutex mu_;
  Fn fn_;
};

class ServicesTest : public ::testing::Test {
 protected:
  std::shared_ptr<QueryClient> Client(const std::string& service,
                                      std::shared_ptr<FakeTransport> t) {
    ServiceEndpoint ep{
        service,     service == "cloudwatch" ? "monitoring" : service,
        "v",         "https://example.test",
        "us-east-1", "test"};
    auto creds = std::make_shared<StaticCredentialsProvider>(
        Credentials{"AKIDEXAMPLE", "s", "", std::nullopt, "static"});
    return std::make_shared<QueryClient>(ep, t, creds, &clock_, RetryOptions{},
                                         [] { return 0.0; });
  }
  // A session in us-east-1 with static keys and no instance metadata,
  // whose requests go to `t`.
  Result<std::unique_ptr<AwsSession>> Session(
      std::shared_ptr<HttpTransport> t) {
    AwsOptions opts;
    opts.region = "us-east-1";
    return AwsSession::Create(
        opts,
        MapEnvironment({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                        {"AWS_SECRET_ACCESS_KEY", "s"},
                        {"AWS_EC2_METADATA_DISABLED", "true"}}),
        &clock_, std::move(t));
  }
  ManualClock clock_{FromUnixSeconds(1767225600)};  // 2026-01-01T00:00:00Z
};

// One GetMetricData result: its status, its first message's code (none:
// no message; "-": a message without a code), one datapoint.
struct Answer {
  std::string id, status, code;
  std::string minute = "00:01";
  double value = 40;
  std::string label = "CPUUtilization";  // an expression's series, each
};

// One GetMetricData page, with its NextToken if any.
inline std::string MetricPage(const std::vector<Answer>& rs,
                              const std::string& token = "") {
  std::string x =
      "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>";
  for (const Answer& a : rs) {
    x += "<member><Id>" + a.id + "</Id><Label>" + a.label + "</Label>";
    x += "<StatusCode>" + a.status + "</StatusCode>";
    if (!a.code.empty()) {
      x += "<Messages><member><Code>" + (a.code == "-" ? "" : a.code) +
           "</Code><Value>it went wrong</Value></member></Messages>";
    }
    x += "<Timestamps><member>2026-01-01T" + a.minute +
         ":00Z</member></Timestamps><Values><member>" +
         fmt::format("{}", a.value) + "</member></Values></member>";
  }
  x += "</MetricDataResults>";
  if (!token.empty()) x += "<NextToken>" + token + "</NextToken>";
  return x + "</GetMetricDataResult></GetMetricDataResponse>";
}

}  // namespace phas::aws::fake

#endif  // PHAS_TESTS_UNIT_AWS_FAKES_H_
