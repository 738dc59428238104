// Replicas on DynamoDB (issue 14, docs/ha.md): two and three real `phas
// scaler` processes share one group's lease and state in moto's DynamoDB
// (IAM enforced, as the least-privilege user of deploy/iam-policy.json).
// Each replica talks to moto through its own FaultProxy, so what each one
// carried out is known from moto's side (FaultProxy::forwarded), not from
// what the replicas believe.
//
// The group always wants one more instance (a scripted model says "scale
// up"; a helper sets the group back to 1 after each action), so whoever
// holds the lease acts once per cooldown. Lease 3 s (margin 1 s), interval
// 1 s, cooldown 6 s: longer than the lease plus an interval, so a new
// leader that did not read the cooldown from the table would act inside it.
//
//   KillTheLeader       kill -9 the replica that acted last, at a seeded
//                       random moment of its cooldown, restart it as a
//                       standby, again and again: another replica acts
//                       within max(lease, the cooldown left) + one interval
//                       (+ slack for a loaded machine); no two actions of
//                       any replicas closer than the cooldown.
//   PartitionedLeader   the leader's DynamoDB calls fail (its proxy answers
//                       them 500 without forwarding): it acts no more once
//                       its lease could have passed, and the other takes
//                       over, still outside the cooldown.
//
// PHAS_HA_KILLS (default 3) and PHAS_HA_SEED (default 14) scale the kill
// runs up for bench/ha_failover.sh, which prints the figures this test
// prints ("ha failover: ...").
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "aws/services.h"
#include "aws/session.h"
#include "fake_server.h"
#include "fault_proxy.h"
#include "moto_fixture.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::ChildProcess;
using phas::testing::FakeServer;
using phas::testing::Fault;
using phas::testing::FaultProxy;
using phas::testing::FaultProxyOptions;
using phas::testing::MotoServer;
using phas::testing::RecordedRequest;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

constexpr char kGroup[] = "ha-web";
constexpr char kTable[] = "phas-leases";
constexpr double kLease = 3, kMargin = 1, kInterval = 1, kCooldown = 6;
// Cycle work, moto and process start on a loaded 2-core machine.
constexpr double kSlack = 2.5;

double Secs(Steady::duration d) {
  return std::chrono::duration<double>(d).count();
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// A SetDesiredCapacity moto carried out, and which replica sent it.
struct Carried {
  Steady::time_point at;
  int replica = 0;
};

class HaReplicasTest : public phas::testing::TempDirTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(moto_.error().empty()) << moto_.error();
    TempDirTest::SetUp();
    world_ = moto_.BuildWorld(phas::testing::DeployPolicyPath(), kGroup,
                              {"--min", "1", "--max", "5", "--desired", "1",
                               "--dynamodb-table", kTable});
    ASSERT_FALSE(world_.is_null()) << moto_.error();
    auto s = aws::AwsSession::Create(
        {}, aws::MapEnvironment(moto_.EnvFor(world_["admin"], dir_)), &clock_);
    ASSERT_TRUE(s.ok());
    admin_ = std::move(s).value();
    resetting_ = true;
    resetter_ = std::thread([this] { ResetLoop(); });
  }
  void TearDown() override {
    procs_.clear();
    resetting_ = false;
    if (resetter_.joinable()) resetter_.join();
    proxies_.clear();
    TempDirTest::TearDown();
  }

  // Sets the group back to 1 whenever a replica raised it, so that the
  // leader wants to act again once its cooldown is over; and publishes the
  // instances' metrics, as EC2 would (new instances included).
  void ResetLoop() {
    aws::AutoScalingApi asg(admin_->client(aws::Service::kAutoScaling));
    auto cw = admin_->client(aws::Service::kCloudWatch);
    auto published = Steady::now() - std::chrono::seconds(10);
    while (resetting_) {
      auto g = asg.DescribeAutoScalingGroups({kGroup});
      if (g.ok() && !g->empty() && (*g)[0].desired_capacity > 1) {
        (void)asg.SetDesiredCapacity(kGroup, 1, false);
      }
      if (g.ok() && !g->empty() &&
          Steady::now() - published > std::chrono::seconds(1)) {
        std::vector<std::string> ids;
        for (const auto& i : (*g)[0].instances) ids.push_back(i.id);
        phas::testing::PutInstanceMetrics(*cw, ids, clock_.Now());
        published = Steady::now();
      }
      std::this_thread::sleep_for(milliseconds(300));
    }
  }

  std::string Config(int i) {
    std::string path = (dir_ / ("r" + std::to_string(i) + ".yaml")).string();
    fs::path home = dir_ / ("r" + std::to_string(i));
    std::ofstream(path) << "interval_seconds: " << kInterval << "\n"
                        << "metrics_refresh_seconds: 0\n"
                        << "predictor_url: " << predictor_.url() << "/predict\n"
                        << "output_dir: " << (home / "output").string() << "\n"
                        << "state_path: " << (home / "phas.db").string() << "\n"
                        << "metrics_listen: off\n"
                        << "ha: {dynamodb_table: " << kTable
                        << ", lease_seconds: " << kLease
                        << ", lease_margin_seconds: " << kMargin << "}\n"
                        << "groups:\n  - name: " << kGroup
                        << "\n    policy: seed\n"
                        << "    cooldown_seconds: " << kCooldown << "\n";
    return path;
  }

  // Replica i: a proxy of its own (created once) and a `phas scaler`.
  void Start(int i) {
    while (static_cast<int>(proxies_.size()) <= i) {
      FaultProxyOptions o;
      o.target_url = moto_.url();
      proxies_.push_back(std::make_unique<FaultProxy>(o));
      ASSERT_TRUE(proxies_.back()->Start().ok());
      procs_.emplace_back();
    }
    auto env = moto_.EnvFor(world_["phas"], dir_);
    env["AWS_ENDPOINT_URL"] = proxies_[i]->url();
    procs_[i] = std::make_unique<ChildProcess>(
        std::vector<std::string>{PHAS_BINARY, "scaler", "--config", Config(i)},
        env, (dir_ / ("r" + std::to_string(i) + ".stderr")).string());
  }

  // Every SetDesiredCapacity moto carried out, in time order.
  std::vector<Carried> Actions() {
    std::vector<Carried> out;
    for (size_t i = 0; i < proxies_.size(); ++i) {
      for (const auto& f : proxies_[i]->forwarded()) {
        if (f.action == "SetDesiredCapacity") {
          out.push_back({f.answered_at, static_cast<int>(i)});
        }
      }
    }
    std::sort(out.begin(), out.end(),
              [](const Carried& a, const Carried& b) { return a.at < b.at; });
    return out;
  }

  // The first action after `after`, waiting up to `timeout` seconds.
  std::optional<Carried> WaitAction(Steady::time_point after, double timeout) {
    auto end = Steady::now() + std::chrono::duration_cast<Steady::duration>(
                                   std::chrono::duration<double>(timeout));
    while (Steady::now() < end) {
      for (const Carried& a : Actions()) {
        if (a.at > after) return a;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return std::nullopt;
  }

  std::string Stderr(int i) {
    std::ifstream in(dir_ / ("r" + std::to_string(i) + ".stderr"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > 3000 ? s.substr(s.size() - 3000) : s;
  }

  // No two actions, of whichever replicas, closer than the cooldown; the
  // count of those that were.
  int DoubleActions() {
    std::vector<Carried> all = Actions();
    int doubles = 0;
    for (size_t k = 1; k < all.size(); ++k) {
      double gap = Secs(all[k].at - all[k - 1].at);
      if (gap < kCooldown - 0.02) {
        ++doubles;
        ADD_FAILURE() << "actions " << gap << " s apart, by replicas "
                      << all[k - 1].replica << " and " << all[k].replica;
      }
    }
    return doubles;
  }

  // Kill to the new leader's first action, and how much of it was spent
  // past the end of the last action's cooldown (the lease's own cost).
  struct Failover {
    double took = 0;
    double past_cooldown = 0;
  };

  // kills -9 the leader `kills` times among `n` replicas.
  std::vector<Failover> KillTheLeader(int n, int kills, std::mt19937_64* rng) {
    std::vector<Failover> failovers;
    for (int i = 0; i < n; ++i) Start(i);
    auto first = WaitAction(Steady::time_point(), 30);
    if (!first) {
      ADD_FAILURE() << "no replica acted\n" << Stderr(0);
      return failovers;
    }
    Carried last = *first;
    for (int k = 0; k < kills; ++k) {
      // A moment inside the cooldown of the leader's last action: never
      // between its save and its call (covered by ScalerMotoTest's kill
      // -9), which would hold the group for the call's longest latency.
      double delay =
          std::uniform_real_distribution<double>(0.3, kCooldown - 0.5)(*rng);
      std::this_thread::sleep_until(
          last.at + std::chrono::duration_cast<Steady::duration>(
                        std::chrono::duration<double>(delay)));
      int leader = last.replica;
      procs_[leader]->Kill9();
      auto killed = Steady::now();
      auto next = WaitAction(killed, kLease + kCooldown + 10 * kInterval);
      if (!next) {
        ADD_FAILURE() << "kill " << k << ": no replica acted after the kill";
        break;
      }
      EXPECT_NE(next->replica, leader) << "the killed replica acted";
      double cooldown_left = std::max(0.0, Secs(last.at - killed) + kCooldown);
      double took = Secs(next->at - killed);
      EXPECT_LE(took, std::max(kLease, cooldown_left) + kInterval + kSlack)
          << "kill " << k << " (after " << delay << " s)";
      failovers.push_back({took, took - cooldown_left});
      Start(leader);  // back as a standby
      last = *next;
    }
    return failovers;
  }

  void Report(int n, const std::vector<Failover>& failovers, int doubles) {
    if (failovers.empty()) return;
    std::vector<double> took, past;
    for (const Failover& f : failovers) {
      took.push_back(f.took);
      past.push_back(f.past_cooldown);
    }
    std::sort(took.begin(), took.end());
    std::sort(past.begin(), past.end());
    std::printf(
        "ha failover: %d replicas, %zu kills: kill to first action by the new "
        "leader median %.2f s, worst %.2f s; past the cooldown's end median "
        "%.2f s, worst %.2f s; double actions %d (lease %.0f s, interval "
        "%.0f s, cooldown %.0f s)\n",
        n, took.size(), took[took.size() / 2], took.back(),
        past[past.size() / 2], past.back(), doubles, kLease, kInterval,
        kCooldown);
  }

  struct Predictor {
    FakeServer server{[](const RecordedRequest&, HttpResponse& r) {
      r.content_type = "application/json";
      r.body = R"({"prediction": 0, "predicted_class": "Low",
                   "confidence": 0.9})";
    }};
    std::string url() { return server.url(); }
  };

  MotoServer moto_;
  Predictor predictor_;
  json world_;
  SystemClock clock_;
  std::unique_ptr<aws::AwsSession> admin_;
  std::atomic<bool> resetting_{false};
  std::thread resetter_;
  std::vector<std::unique_ptr<FaultProxy>> proxies_;
  std::vector<std::unique_ptr<ChildProcess>> procs_;
};

TEST_F(HaReplicasTest, KillTheLeaderOfTwo) {
  std::mt19937_64 rng(EnvInt("PHAS_HA_SEED", 14));
  auto failovers = KillTheLeader(2, EnvInt("PHAS_HA_KILLS", 3), &rng);
  int doubles = DoubleActions();
  EXPECT_EQ(doubles, 0);
  Report(2, failovers, doubles);
}

TEST_F(HaReplicasTest, KillTheLeaderOfThree) {
  std::mt19937_64 rng(EnvInt("PHAS_HA_SEED", 14) + 1);
  auto failovers = KillTheLeader(3, EnvInt("PHAS_HA_KILLS", 2), &rng);
  int doubles = DoubleActions();
  EXPECT_EQ(doubles, 0);
  Report(3, failovers, doubles);
}

TEST_F(HaReplicasTest, PartitionedLeaderStopsBeforeItsLeaseCanPass) {
  Start(0);
  Start(1);
  auto first = WaitAction(Steady::time_point(), 30);
  ASSERT_TRUE(first) << Stderr(0) << Stderr(1);
  int leader = first->replica;
  // Mid-cooldown, the leader loses DynamoDB: its lease calls are answered
  // 500 and never reach moto; everything else still works.
  std::this_thread::sleep_until(first->at + milliseconds(1500));
  proxies_[leader]->set_actions({"GetItem", "UpdateItem", "DescribeTable"});
  proxies_[leader]->Force(Fault::kInternalFailure);
  auto cut = Steady::now();
  auto next = WaitAction(cut, kLease + kCooldown + 10 * kInterval);
  ASSERT_TRUE(next) << Stderr(leader) << Stderr(1 - leader);
  EXPECT_NE(next->replica, leader);
  EXPECT_LE(
      Secs(next->at - cut),
      std::max(kLease, Secs(first->at - cut) + kCooldown) + kInterval + kSlack);
  // Two more cooldowns: the cut-off leader still decides (it observes
  // AWS), and never acts.
  std::this_thread::sleep_for(std::chrono::duration_cast<Steady::duration>(
      std::chrono::duration<double>(2 * kCooldown + kInterval)));
  for (const Carried& a : Actions()) {
    if (a.replica != leader) continue;
    EXPECT_LT(Secs(a.at - cut), kLease - kMargin)
        << "the cut-off leader acted after its lease could have passed";
  }
  EXPECT_TRUE(procs_[leader]->Running()) << "it degrades, it does not exit";
  EXPECT_EQ(DoubleActions(), 0);
  proxies_[leader]->Force(Fault::kNone);
}

}  // namespace
}  // namespace phas
