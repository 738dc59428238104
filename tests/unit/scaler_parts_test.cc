// The loop's parts: query planning and aggregation, the state store
// (round trip, recovery from a corrupt file), the configuration (errors name
// the key), and log rotation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "scaler/config.h"
#include "scaler/observe.h"
#include "scaler/recorder.h"
#include "scaler/state_store.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;

GroupDescription Described(const std::string& name, int in_service,
                           int pending) {
  GroupDescription d;
  d.name = name;
  d.min_size = 1;
  d.max_size = 10;
  d.desired_capacity = in_service + pending;
  for (int i = 0; i < in_service + pending; ++i) {
    aws::AsgInstance inst;
    inst.id = name + "-i" + std::to_string(i);
    inst.lifecycle_state = i < in_service ? "InService" : "Pending";
    d.instances.push_back(inst);
  }
  return d;
}

TEST(ObserveTest, OneQueryPerInServiceInstanceAndMetric) {
  std::vector<GroupToObserve> groups = {{Described("a", 3, 2), {}, {}},
                                        {Described("b", 1, 0), {}, {}}};
  groups[1].memory.enabled = false;
  QueryPlan plan = PlanQueries(groups);
  EXPECT_EQ(plan.queries.size(), 3u * 8 + 1u * 7);
  std::set<std::string> ids;
  for (const auto& q : plan.queries) {
    EXPECT_TRUE(ids.insert(q.id).second) << "query ids are unique";
    EXPECT_EQ(q.period_seconds, 60);
    EXPECT_EQ(q.dimensions.size(), 1u);
  }
  EXPECT_EQ(plan.queries[7].ns, "CWAgent");
  EXPECT_EQ(plan.queries[7].metric_name, "mem_used_percent");
}

TEST(ObserveTest, AggregatesLatestValuesAcrossInstances) {
  std::vector<GroupToObserve> groups = {{Described("a", 3, 0), {}, {}}};
  QueryPlan plan = PlanQueries(groups);
  std::vector<MetricSeries> results(plan.queries.size());
  TimePoint t1 = FromUnixSeconds(600), t2 = FromUnixSeconds(660);
  double cpu[3][2] = {{10, 20}, {30, 40}, {50, 90}};
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    results[i].id = plan.queries[i].id;
    if (plan.targets[i].metric != 0) continue;
    int inst = static_cast<int>(plan.targets[i].instance);
    results[i].timestamps = {t1, t2};
    results[i].values = {cpu[inst][0], cpu[inst][1]};
  }
  GroupMetrics m = AggregateGroup(plan, results, 0, groups[0].group, {"a-i2"});
  const MetricAggregate& a = m.aggregate.at("cpu_utilization");
  EXPECT_DOUBLE_EQ(a.value, 50.0);  // mean of the latest values 20, 40, 90
  EXPECT_DOUBLE_EQ(a.max_value, 90.0);
  EXPECT_DOUBLE_EQ(a.min_value, 20.0);
  EXPECT_EQ(a.instance_count, 3);
  EXPECT_FALSE(m.aggregate.count("memory_utilization")) << "no data, no entry";
  // Per-minute CPU leaves the warming instance out.
  ASSERT_EQ(m.cpu.size(), 2u);
  EXPECT_DOUBLE_EQ(m.cpu[0].value, 20.0);
  EXPECT_DOUBLE_EQ(m.cpu[1].value, 30.0);
  EXPECT_EQ(m.cpu[1].instances, 2);
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_parts_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TempDir, StateStoreRoundTripAndSurvivesReopen) {
  std::string path = (dir_ / "sub" / "phas.db").string();
  PolicyState s;
  s.last_action = FromUnixSeconds(1000.5);
  s.down_streak = 17;
  s.counters["reactive.below"] = 3;
  s.last_point = FromUnixSeconds(960);
  s.recommendations = {{FromUnixSeconds(900), 4}};
  s.last_decision = "scale_up 2 -> 3";
  s.first_in_service["i-1"] = FromUnixSeconds(500);
  {
    bool recovered = true;
    auto store = StateStore::Open(path, &recovered);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_FALSE(recovered);
    ASSERT_TRUE((*store)->Save("web", s).ok());
  }
  bool recovered = true;
  auto store = StateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok());
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->count("web"), 1u);
  EXPECT_EQ(all->at("web"), s);
}

TEST_F(TempDir, StateStoreRecoversFromACorruptFile) {
  std::string path = (dir_ / "phas.db").string();
  std::ofstream(path) << "this is not a database, it is a shopping list";
  bool recovered = false;
  auto store = StateStore::Open(path, &recovered);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(recovered);
  auto all = (*store)->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  int aside = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().string().find(".corrupt-") != std::string::npos) ++aside;
  }
  EXPECT_EQ(aside, 1) << "the unreadable file is kept for inspection";
}

TEST(ConfigTest, ShippedExampleParses) {
  auto c = LoadScalerConfig(testing::SourcePath("deploy/phas.yaml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(ValidateScalerConfig(*c, "deploy/phas.yaml").ok());
  EXPECT_FALSE(c->groups.empty());
}

TEST(ConfigTest, ErrorsNameTheKey) {
  struct Case {
    const char* name;
    std::string yaml;
    // expected in the message
    std::string key;
  };
  const Case cases[] = {
      {"unknown top-level key", "intervall_seconds: 5\n", "intervall_seconds"},
      {"bad interval", "interval_seconds: fast\n", "interval_seconds"},
      {"negative metrics refresh", "metrics_refresh_seconds: -5\n",
       "metrics_refresh_seconds"},
      {"unknown group key", "groups:\n  - name: a\n    coldown_seconds: 3\n",
       "groups[0].coldown_seconds"},
      {"negative cooldown", "groups:\n  - name: a\n    cooldown_seconds: -1\n",
       "groups[0].cooldown_seconds"},
      {"unknown policy", "groups:\n  - name: a\n    policy: magic\n",
       "groups[0].policy"},
      {"bad fallback", "groups:\n  - name: a\n    seed: {fallback: panic}\n",
       "groups[0].seed.fallback"},
      {"bad streak", "groups:\n  - name: a\n    seed: {scale_down_streak: 0}\n",
       "groups[0].seed.scale_down_streak"},
      {"bad target", "groups:\n  - name: a\n    reactive: {target_cpu: 150}\n",
       "groups[0].reactive.target_cpu"},
      {"bad dry_run", "dry_run: maybe\n", "dry_run"},
      {"bad endpoint", "aws:\n  endpoints:\n    ec2: localhost:5000\n",
       "aws.endpoints.ec2"},
      {"bad memory dimension",
       "groups:\n  - name: a\n    memory_metric: {dimensions: [ImageId]}\n",
       "groups[0].memory_metric.dimensions[0]"},
      {"not yaml", "groups: [\n", "not valid YAML"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = ParseScalerConfig(tc.yaml, "test.yaml");
    ASSERT_FALSE(c.ok());
    EXPECT_TRUE(c.status().IsInvalidArgument());
    EXPECT_NE(c.status().message().find(tc.key), std::string::npos)
        << c.status().message();
    EXPECT_NE(c.status().message().find("test.yaml"), std::string::npos);
  }
  ScalerConfig dup;
  dup.groups = {GroupConfig{"a", {}, {}, {}}, GroupConfig{"a", {}, {}, {}}};
  Status st = ValidateScalerConfig(dup, "x.yaml");
  EXPECT_NE(st.message().find("groups[1].name"), std::string::npos)
      << st.message();
}

TEST_F(TempDir, RotatingFileKeepsABoundedNumberOfBoundedFiles) {
  RotatingFile f;
  std::string path = (dir_ / "log").string();
  ASSERT_TRUE(f.Open(path, 100, 2).ok());
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(f.Append(std::string(30, 'a' + i % 26)).ok());
  f.Flush();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path + ".1"));
  EXPECT_TRUE(fs::exists(path + ".2"));
  EXPECT_FALSE(fs::exists(path + ".3"));
  for (const char* suffix : {"", ".1", ".2"}) {
    EXPECT_LE(fs::file_size(path + suffix), 100u);
  }
}

TEST(RecorderTest, AscTimeIsTheOriginalsFormat) {
  EXPECT_EQ(
      Recorder::AscTime(TimePoint(std::chrono::milliseconds(1764306600123))),
      "2025-11-28 05:10:00,123");
}

}  // namespace
}  // namespace phas
