// SetDesiredCapacity through FaultProxy against moto (IAM enforced, as the
// least-privilege user): each fault in turn gets its label and the right
// outcome_unknown(), and the faults injected after forwarding are carried out
// by moto although the call failed. Then the proxy itself: deterministic
// faults for a seed, the Action filter, concurrent keep-alive clients.
#include "fault_proxy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/environment.h"
#include "aws/services.h"
#include "aws/session.h"
#include "fake_server.h"
#include "moto_fixture.h"

namespace phas::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Waits until `pred` holds; false after `timeout`.
template <typename Pred>
bool WaitFor(Pred pred, milliseconds timeout) {
  auto end = steady_clock::now() + timeout;
  while (!pred()) {
    if (steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// A form POST to the proxy.
aws::HttpCall PostTo(const FaultProxy& proxy, std::string body) {
  aws::HttpCall call;
  call.method = "POST";
  call.url = proxy.url() + "/";
  call.body = std::move(body);
  return call;
}

class FaultProxyMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    home_ = fs::temp_directory_path() /
            ("phas_fault_proxy_" + std::to_string(::getpid()));
    fs::create_directories(home_);
    world_ = moto_.BuildWorld(DeployPolicyPath(), "web",
                              {"--min", "1", "--max", "10", "--desired", "1"});
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    FaultProxyOptions o;
    o.target_url = moto_.url();
    o.hold = milliseconds(2500);
    proxy_ = std::make_unique<FaultProxy>(o);
    ASSERT_TRUE(proxy_->Start().ok());
    admin_ = Session(world_["admin"], moto_.url(), aws::RetryOptions{});
  }
  void TearDown() override {
    proxy_.reset();
    fs::remove_all(home_);
  }

  std::unique_ptr<aws::AwsSession> Session(const json& key,
                                           const std::string& endpoint,
                                           aws::RetryOptions retry) {
    auto env = moto_.EnvFor(key, home_);
    env["AWS_ENDPOINT_URL"] = endpoint;
    aws::AwsOptions opts;
    opts.retry = retry;
    auto s = aws::AwsSession::Create(opts, aws::MapEnvironment(env), &clock_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // phas's view, through the proxy, with a short request timeout (1 s: moto
  // on a loaded machine must still answer the plain calls in time; the proxy
  // holds a kTimeout connection 2.5 s).
  aws::AutoScalingApi PhasThroughProxy(int max_attempts) {
    aws::RetryOptions retry;
    retry.max_attempts = max_attempts;
    retry.request_timeout = milliseconds(1000);
    phas_ = Session(world_["phas"], proxy_->url(), retry);
    return aws::AutoScalingApi(phas_->client(aws::Service::kAutoScaling));
  }
  int Desired() {
    auto g = aws::AutoScalingApi(admin_->client(aws::Service::kAutoScaling))
                 .DescribeAutoScalingGroups({"web"});
    return g.ok() && !g->empty() ? (*g)[0].desired_capacity : -1;
  }
  std::vector<Forwarded> SetDesiredForwarded() {
    std::vector<Forwarded> out;
    for (const Forwarded& f : proxy_->forwarded()) {
      if (f.action == "SetDesiredCapacity") out.push_back(f);
    }
    return out;
  }

  MotoServer moto_;
  fs::path home_;
  json world_;
  SystemClock clock_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<aws::AwsSession> admin_;
  std::unique_ptr<aws::AwsSession> phas_;
};

TEST_F(FaultProxyMotoTest, EachFaultIsLabelledAndForwardedOnesAreCarriedOut) {
  struct Case {
    Fault fault;
    int set_to;
    // expected
    bool ok;
    const char* detail;
    bool outcome_unknown;
    bool carried_out;
  };
  const Case cases[] = {
      {Fault::kNone, 2, true, "", false, true},
      {Fault::kInternalFailure, 3, false, "InternalFailure", true, false},
      {Fault::kThrottling, 4, false, "Throttling", false, false},
      {Fault::kTimeout, 5, false, "timeout", true, true},
      {Fault::kReset, 6, false, "connection_reset", true, true},
      {Fault::kMalformed, 7, false, "malformed_response", true, true},
  };
  aws::AutoScalingApi asg = PhasThroughProxy(/*max_attempts=*/1);
  int desired = Desired();
  ASSERT_EQ(desired, 1);
  for (const Case& tc : cases) {
    SCOPED_TRACE(FaultName(tc.fault));
    size_t before = SetDesiredForwarded().size();
    proxy_->Force(tc.fault);
    Status st = asg.SetDesiredCapacity("web", tc.set_to, false);
    EXPECT_EQ(st.ok(), tc.ok) << st.ToString();
    EXPECT_EQ(st.detail(), tc.detail) << st.ToString();
    EXPECT_EQ(st.outcome_unknown(), tc.outcome_unknown) << st.ToString();
    if (tc.carried_out) {
      // moto may answer the proxy after the client gave up: wait for it.
      ASSERT_TRUE(WaitFor([&] { return SetDesiredForwarded().size() > before; },
                          milliseconds(10000)));
      Forwarded f = SetDesiredForwarded().back();
      EXPECT_EQ(f.group, "web");
      EXPECT_EQ(f.desired_capacity, tc.set_to);
      EXPECT_EQ(f.fault, tc.fault);
      EXPECT_EQ(f.status, 200);
      desired = tc.set_to;
    } else {
      EXPECT_EQ(SetDesiredForwarded().size(), before) << "never forwarded";
    }
    EXPECT_EQ(Desired(), desired);
  }
  EXPECT_EQ(proxy_->decisions().size(), std::size(cases));
}

// With retries, a fault after forwarding is carried out once per attempt,
// and an attempt carried out early keeps the call unknown even when the last
// attempt was a definite rejection.
TEST_F(FaultProxyMotoTest, AnEarlierCarriedOutAttemptKeepsTheCallUnknown) {
  aws::AutoScalingApi asg = PhasThroughProxy(/*max_attempts=*/3);
  proxy_->Force(Fault::kReset);
  Status st = asg.SetDesiredCapacity("web", 4, false);
  EXPECT_EQ(st.detail(), "connection_reset");
  EXPECT_TRUE(st.outcome_unknown());
  ASSERT_TRUE(WaitFor([&] { return SetDesiredForwarded().size() == 3; },
                      milliseconds(10000)));
  EXPECT_EQ(Desired(), 4);

  proxy_->Force(Fault::kNone);
  proxy_->Script({Fault::kReset, Fault::kThrottling, Fault::kThrottling});
  st = asg.SetDesiredCapacity("web", 5, false);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.detail(), "Throttling") << st.ToString();
  EXPECT_TRUE(st.outcome_unknown()) << "attempt 1 was carried out";
  ASSERT_TRUE(WaitFor([&] { return SetDesiredForwarded().size() == 4; },
                      milliseconds(10000)));
  EXPECT_EQ(Desired(), 5);

  proxy_->Script({Fault::kThrottling, Fault::kThrottling, Fault::kThrottling});
  st = asg.SetDesiredCapacity("web", 6, false);
  EXPECT_EQ(st.detail(), "Throttling");
  EXPECT_FALSE(st.outcome_unknown()) << "no attempt reached moto";
  EXPECT_EQ(SetDesiredForwarded().size(), 4u);
  EXPECT_EQ(Desired(), 5);
}

TEST(FaultProxyTest, SameSeedSameFaults) {
  FakeServer target([](const RecordedRequest&, HttpResponse& r) {
    r.body = "<OkResponse/>";
  });
  auto run = [&](uint64_t seed) {
    FaultProxyOptions o;
    o.target_url = target.url();
    o.seed = seed;
    o.fault_probability = 0.5;
    o.mix = FaultMix::Only(Fault::kInternalFailure);
    o.mix.throttling = 1;
    o.mix.malformed = 2;
    FaultProxy proxy(o);
    EXPECT_TRUE(proxy.Start().ok());
    aws::CurlTransport t;
    aws::HttpCall call =
        PostTo(proxy, "Action=DescribeAutoScalingGroups&Version=2011-01-01");
    for (int i = 0; i < 40; ++i) {
      auto r = t.Send(call);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
    EXPECT_EQ(proxy.requests(), 40);
    return proxy.decisions();
  };
  std::vector<Fault> a = run(42);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));
  std::map<Fault, int> count;
  for (Fault f : a) ++count[f];
  EXPECT_GT(count[Fault::kNone], 5);
  EXPECT_GT(count[Fault::kInternalFailure], 0);
  EXPECT_GT(count[Fault::kMalformed], 0);
  EXPECT_EQ(count[Fault::kTimeout] + count[Fault::kReset], 0)
      << "not in the mix";
}

TEST(FaultProxyTest, OnlyTheChosenActionsGetFaults) {
  FakeServer target([](const RecordedRequest&, HttpResponse& r) {
    r.body = "<OkResponse/>";
  });
  FaultProxyOptions o;
  o.target_url = target.url();
  o.actions = {"SetDesiredCapacity"};
  FaultProxy proxy(o);
  ASSERT_TRUE(proxy.Start().ok());
  proxy.Force(Fault::kThrottling);
  aws::CurlTransport t;
  aws::HttpCall call = PostTo(
      proxy,
      "Action=DescribeAutoScalingGroups&AutoScalingGroupNames.member.1=web");
  auto describe = t.Send(call);
  ASSERT_TRUE(describe.ok());
  EXPECT_EQ(describe->status, 200);
  call.body =
      "Action=SetDesiredCapacity&AutoScalingGroupName=my%20group&"
      "DesiredCapacity=3";
  auto set = t.Send(call);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->status, 400);
  EXPECT_NE(set->body.find("<Code>Throttling</Code>"), std::string::npos);
  EXPECT_EQ(target.count(), 1u);
  EXPECT_EQ(proxy.decisions(), std::vector<Fault>{Fault::kThrottling});

  proxy.Force(Fault::kNone);
  ASSERT_TRUE(t.Send(call).ok());
  std::vector<Forwarded> f = proxy.forwarded();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].action, "DescribeAutoScalingGroups");
  EXPECT_EQ(f[1].group, "my group");
  EXPECT_EQ(f[1].desired_capacity, 3);
  EXPECT_LE(f[0].answered_at, f[1].answered_at);
}

TEST(FaultProxyTest, ServesConcurrentKeepAliveClients) {
  std::atomic<int> served{0};
  FakeServer target([&](const RecordedRequest& q, HttpResponse& r) {
    ++served;
    r.body = "<Echo>" + q.body + "</Echo>";
  });
  FaultProxyOptions o;
  o.target_url = target.url();
  FaultProxy proxy(o);
  ASSERT_TRUE(proxy.Start().ok());
  constexpr int kClients = 4, kRequests = 25;
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      aws::CurlTransport t;  // one connection, reused
      for (int i = 0; i < kRequests; ++i) {
        aws::HttpCall call =
            PostTo(proxy, "Action=Echo&N=" + std::to_string(c * 1000 + i));
        auto r = t.Send(call);
        if (r.ok() && r->status == 200 &&
            r->body == "<Echo>" + call.body + "</Echo>")
          ++good;
      }
    });
  }
  for (auto& th : clients) th.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
  EXPECT_EQ(served.load(), kClients * kRequests);
  EXPECT_EQ(proxy.connections(), kClients) << "keep-alive connections reused";
  EXPECT_EQ(proxy.forwarded().size(),
            static_cast<size_t>(kClients * kRequests));
}

TEST(FaultProxyTest, StopEndsAHeldConnectionAtOnce) {
  FakeServer target([](const RecordedRequest&, HttpResponse& r) {
    r.body = "<OkResponse/>";
  });
  FaultProxyOptions o;
  o.target_url = target.url();
  o.hold = std::chrono::minutes(10);
  FaultProxy proxy(o);
  ASSERT_TRUE(proxy.Start().ok());
  proxy.Force(Fault::kTimeout);
  std::thread client([&] {
    aws::CurlTransport t;
    aws::HttpCall call = PostTo(proxy, "Action=SetDesiredCapacity");
    call.timeout = std::chrono::seconds(60);
    auto r = t.Send(call);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().detail(), "connection_reset") << r.status().ToString();
  });
  ASSERT_TRUE(WaitFor([&] { return proxy.forwarded().size() == 1; },
                      milliseconds(10000)));
  proxy.Stop();  // returns although the hold has 10 minutes to go
  client.join();
}

TEST(FaultProxyTest, RejectsABadTarget) {
  FaultProxyOptions o;
  o.target_url = "moto:5000";
  FaultProxy proxy(o);
  Status st = proxy.Start();
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("target_url"), std::string::npos);
}

}  // namespace
}  // namespace phas::testing
