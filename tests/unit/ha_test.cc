// Replicas (docs/ha.md): the lease rule, the `ha:` config, DynamoDB's JSON
// 1.0 protocol and its errors (against a local fake endpoint), and the loop
// with a lease it does not hold, then acquires.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/dynamodb.h"
#include "cloud/forwarding_cloud.h"
#include "cloud/sim_cloud.h"
#include "fake_leadership.h"
#include "fake_server.h"
#include "loop_test_util.h"
#include "scaler/config.h"
#include "scaler/cycle_log.h"
#include "scaler/dynamo_ha.h"
#include "scaler/lease.h"
#include "scaler/scaler.h"
#include "sim/demand.h"
#include "test_util.h"

namespace phas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using phas::testing::FakeLeadership;
using phas::testing::FakeServer;
using phas::testing::RecordedRequest;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// What a DynamoStateStore's saves are conditioned on.
std::optional<LeaseFence> Me(const std::string&) {
  return LeaseFence{"me/1", 1};
}

TEST(LeaseTest, ValidOnlyWithinDurationMinusMarginOfTheRenewSent) {
  LeaseOptions o;  // 30 s, margin 10 s
  const SteadyTime sent{seconds(1000)};
  struct Case {
    const char* name;
    SteadyTime now;
    bool valid;
  };
  const Case cases[] = {
      {"just renewed", sent, true},
      {"a cycle later", sent + seconds(10), true},
      {"just inside duration - margin", sent + milliseconds(19999), true},
      {"at duration - margin", sent + seconds(20), false},
      {"expired", sent + seconds(31), false},
      {"a clock that went back", sent - seconds(1), false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(LeaseValidAt(sent, tc.now, o), tc.valid);
  }
  EXPECT_EQ(o.renew_every(), seconds(10));
}

TEST(LeaseTest, HolderIdsDifferPerProcessStart) {
  std::string a = MakeHolderId(), b = MakeHolderId();
  EXPECT_NE(a, b);
  EXPECT_NE(a.find(std::to_string(::getpid())), std::string::npos) << a;
}

TEST(HaConfigTest, ParsesAndNamesTheBadKey) {
  struct Case {
    const char* name;
    std::string ha;
    // expected: empty error means it parses
    std::string error;
  };
  const Case cases[] = {
      {"table only: defaults", "{dynamodb_table: phas-leases}", ""},
      {"all keys",
       "{dynamodb_table: t, lease_seconds: 12, lease_margin_seconds: 4}", ""},
      {"unknown key", "{dynamodb_table: t, lease: 5}", "ha.lease"},
      {"no table", "{lease_seconds: 30}", "ha.dynamodb_table"},
      {"lease too short", "{dynamodb_table: t, lease_seconds: 1}",
       "ha.lease_seconds"},
      {"margin not below the lease",
       "{dynamodb_table: t, lease_seconds: 6, lease_margin_seconds: 6}",
       "ha.lease_margin_seconds"},
      {"not a mapping", "phas-leases", "ha"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = ParseScalerConfig("ha: " + tc.ha + "\ngroups: [{name: a}]\n",
                               "test.yaml");
    if (tc.error.empty()) {
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      ASSERT_TRUE(c->ha.has_value());
    } else {
      ASSERT_FALSE(c.ok());
      EXPECT_TRUE(c.status().IsInvalidArgument());
      EXPECT_NE(c.status().message().find(tc.error), std::string::npos)
          << c.status().message();
    }
  }
  auto d = ParseScalerConfig("ha: {dynamodb_table: t}\ngroups: [{name: a}]\n",
                             "test.yaml");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ha->lease, seconds(30));
  EXPECT_FALSE(d->ha->margin.has_value()) << "default: lease / 3";
  auto none = ParseScalerConfig("groups: [{name: a}]\n", "test.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->ha.has_value()) << "without ha: one replica, SQLite";
}

// DynamoDB's wire format as phas sends it, and AWS's JSON errors as it
// reads them.
class DynamoWireTest : public ::testing::Test {
 protected:
  aws::DynamoDbClient Client(const std::string& url) {
    aws::ServiceEndpoint ep{"dynamodb", "dynamodb",  "2012-08-10",
                            url,        "us-east-1", "test"};
    auto creds =
        std::make_shared<aws::StaticCredentialsProvider>(aws::Credentials{
            "AKIDEXAMPLE", "ha-test-secret", "", std::nullopt, "static"});
    aws::RetryOptions r;
    r.base_delay = milliseconds(1);
    r.throttle_base_delay = milliseconds(1);
    return aws::DynamoDbClient(std::make_shared<aws::QueryClient>(
        ep, std::make_shared<aws::CurlTransport>(), creds, &clock_, r,
        [] { return 0.5; }));
  }
  SystemClock clock_;
};

// The lease table's key is checked at start: a table keyed otherwise (made
// for something else) was accepted, every lease's write was then refused
// (ValidationException), and every replica stood by for ever. Exit 2 (a
// configuration error), with the create-table command.
TEST_F(DynamoWireTest, ALeaseTableKeyedOtherwiseIsRefused) {
  struct Case {
    const char* name;
    // input: DescribeTable's Table
    const char* table;
    // expected: "" accepted, else in the error
    const char* error;
  };
  const Case cases[] = {
      {"pk of type S", R"({"TableStatus": "ACTIVE",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})",
       ""},
      {"keyed id", R"({"TableStatus": "ACTIVE",
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})",
       "table phas-leases is keyed id:S, and phas needs a partition key pk of "
       "type S and no sort key (create one: aws dynamodb create-table"},
      {"pk a number", R"({"TableStatus": "ACTIVE",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})",
       "is keyed pk:N"},
      {"with a sort key", R"({"TableStatus": "ACTIVE",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"},
                       {"AttributeName": "pk", "KeyType": "HASH"}]})",
       "is keyed pk:S,sk:S"},
      {"no key said", R"({"TableStatus": "ACTIVE"})", "is keyed (no key)"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
      r.content_type = "application/x-amz-json-1.0";
      r.body = std::string(R"({"Table": )") + tc.table + "}";
    });
    aws::DynamoDbClient db = Client(server.url());
    Status st = CheckHaTable(&db, "phas-leases");
    if (*tc.error == '\0') {
      EXPECT_TRUE(st.ok()) << st.ToString();
      continue;
    }
    EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
    EXPECT_NE(st.message().find(tc.error), std::string::npos) << st.message();
  }
}

TEST_F(DynamoWireTest, GetItemIsASignedJsonCall) {
  FakeServer server([](const RecordedRequest&, HttpResponse& r) {
    r.content_type = "application/x-amz-json-1.0";
    r.body = R"({"Item": {"pk": {"S": "group:web"}, "holder": {"S": "a"},
                 "expires_ms": {"N": "1767225600123"}}})";
  });
  aws::DynamoDbClient db = Client(server.url());
  auto item = db.GetItem("phas-leases", {{"pk", aws::AttrS("group:web")}});
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ(aws::GetS(**item, "holder"), "a");
  EXPECT_EQ(aws::GetN(**item, "expires_ms"), 1767225600123);
  EXPECT_EQ(aws::GetN(**item, "holder"), std::nullopt) << "an S is not an N";
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& q = requests[0];
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.path, "/");
  EXPECT_EQ(q.Header("x-amz-target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(q.Header("content-type"), "application/x-amz-json-1.0");
  EXPECT_NE(q.Header("authorization").find("/us-east-1/dynamodb/aws4_request"),
            std::string::npos)
      << q.Header("authorization");
  json body = json::parse(q.body);
  EXPECT_EQ(body["TableName"], "phas-leases");
  EXPECT_EQ(body["ConsistentRead"], true);
  EXPECT_EQ(body["Key"]["pk"]["S"], "group:web");
}

// The group's item as read: no state is "none saved"; a state that is not
// a readable record is the group's `unreadable` (its new holder then does
// not act), never none (its last action would be forgotten).
TEST_F(DynamoWireTest, AStateThatCannotBeReadIsNotNoState) {
  struct Case {
    const char* name;
    std::string item;   // the GetItem answer's Item
    std::string error;  // "" = read, with no state
  };
  const Case cases[] = {
      {"no item", "", ""},
      {"a lease, no state yet", R"({"holder": {"S": "a"}})", ""},
      {"state a number", R"({"state": {"N": "5"}})",
       "group web: state: must be a string (S)"},
      {"state not JSON", R"({"state": {"S": "{"}})", "not a JSON object"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
      r.content_type = "application/x-amz-json-1.0";
      r.body = tc.item.empty() ? "{}" : R"({"Item": )" + tc.item + "}";
    });
    aws::DynamoDbClient db = Client(server.url());
    DynamoStateStore store(&db, "phas-leases", Me, {"web"},
                           std::make_unique<NullStateStore>());
    auto all = store.LoadAll();
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    if (tc.error.empty()) {
      EXPECT_TRUE(all->empty());
      continue;
    }
    ASSERT_EQ(all->count("web"), 1u) << "read as no state before";
    EXPECT_NE(all->at("web").unreadable.find(tc.error), std::string::npos)
        << all->at("web").unreadable;
  }
}

// A replica newly holding one lease of a fleet reads that group's item
// alone: one GetItem, not one per configured group (a fleet of 500 groups
// took 500 in the cycle of each takeover, and in every cycle while one
// record did not read).
TEST_F(DynamoWireTest, TheGroupsAskedForAreReadAlone) {
  FakeServer server([](const RecordedRequest&, HttpResponse& r) {
    r.content_type = "application/x-amz-json-1.0";
    r.body = R"({"Item": {"state": {"S": "{"}}})";
  });
  aws::DynamoDbClient db = Client(server.url());
  DynamoStateStore store(&db, "phas-leases", Me, {"web", "api", "db"},
                         std::make_unique<NullStateStore>());
  auto some = store.LoadGroups({"api"});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  ASSERT_EQ(some->size(), 1u);
  EXPECT_FALSE(some->at("api").unreadable.empty());
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(json::parse(requests[0].body)["Key"]["pk"]["S"], "group:api");
  auto all = store.LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(server.requests().size(), 4u) << "LoadAll reads every group";
}

TEST_F(DynamoWireTest, ErrorsAreConvertedOnceFromTheirType) {
  struct Case {
    const char* name;
    // the endpoint's answer, every time
    int status;
    std::string body;
    // expected
    Status::Code code;
    std::string detail;
    size_t requests;  // 3: retried
    bool condition_failed;
  };
  const Case cases[] = {
      {"condition not met: distinct, not retried", 400,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
           "message": "The conditional request failed"})",
       Status::Code::kFailedPrecondition, "ConditionalCheckFailedException", 1,
       true},
      {"throttled: retried", 400,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
           "message": "Rate exceeded"})",
       Status::Code::kUnavailable, "ThrottlingException", 3, false},
      // The awsJson form with a URI after a colon, cut there first (as
      // botocore); kept whole, the "code" was not one, and not retried.
      {"throttled, the type with a colon: retried", 400,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
           "message": "Rate exceeded"})",
       Status::Code::kUnavailable, "ThrottlingException", 3, false},
      {"over capacity: retried", 400,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
           "message": "slow down"})",
       Status::Code::kUnavailable, "ProvisionedThroughputExceededException", 3,
       false},
      {"no table", 400,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
           "message": "Requested resource not found"})",
       Status::Code::kNotFound, "ResourceNotFoundException", 1, false},
      {"refused by IAM", 400,
       R"({"__type": "com.amazon.coral.service#AccessDeniedException",
           "Message": "not authorized to perform: dynamodb:UpdateItem"})",
       Status::Code::kPermissionDenied, "AccessDeniedException", 1, false},
      {"bad expression", 400,
       R"({"__type": "com.amazon.coral.validate#ValidationException",
           "message": "Invalid UpdateExpression"})",
       Status::Code::kInvalidArgument, "ValidationException", 1, false},
      {"a 500: retried", 500,
       R"({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
           "message": "oops"})",
       Status::Code::kUnavailable, "InternalServerError", 3, false},
      {"a 200 that is not JSON: retried", 200, "<html>proxy</html>",
       Status::Code::kUnavailable, "malformed_response", 3, false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    FakeServer server([&](const RecordedRequest&, HttpResponse& r) {
      r.status = tc.status;
      r.content_type = "application/x-amz-json-1.0";
      r.body = tc.body;
    });
    aws::DynamoDbClient db = Client(server.url());
    aws::WriteRequest w{"phas-leases",      {{"pk", aws::AttrS("group:web")}},
                        "SET #h = :me",     "#h = :me",
                        {{"#h", "holder"}}, {{":me", aws::AttrS("a")}}};
    auto r = db.UpdateItem(w);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), tc.code) << r.status().ToString();
    EXPECT_EQ(r.status().detail(), tc.detail);
    EXPECT_EQ(server.requests().size(), tc.requests);
    EXPECT_EQ(aws::IsConditionFailed(r.status()), tc.condition_failed);
    EXPECT_NE(r.status().message().find("dynamodb UpdateItem"),
              std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().find("ha-test-secret"), std::string::npos);
  }
}

// The loop with a lease: two replicas on one simulated group and one shared
// store. The standby decides and never acts or saves; when the lease
// passes, the new holder reads the state before its first decision and
// keeps the cooldown of the old holder's last action.
class HaLoopTest : public phas::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    bool recovered = false;
    auto store =
        SqliteStateStore::Open((dir_ / "shared.db").string(), &recovered);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    flaky_ = FlakyStore(store_.get());
    RecorderOptions o;
    o.output_dir = (dir_ / "out").string();
    rec_ = std::make_unique<Recorder>(o);
    ASSERT_TRUE(rec_->Open().ok());
    log_ = std::make_unique<LogReporter>(rec_.get());
    auto demand = std::make_shared<DemandSeries>(
        std::vector<DemandSeries::Sample>{{kStart - std::chrono::hours(1), 9},
                                          {kStart + std::chrono::hours(48), 9}},
        std::chrono::hours(100), std::chrono::hours(49));
    sim_ = std::make_unique<SimCloud>(
        &clock_, std::vector<SimGroupSpec>{
                     {"web", 1, 20, 2, seconds(60), std::move(demand)}});
  }

  // Counts each replica's SetDesiredCapacity calls.
  class CountingCloud final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Status SetDesiredCapacity(const std::string& g, int d) override {
      ++calls;
      return ForwardingCloud::SetDesiredCapacity(g, d);
    }
    int calls = 0;
  };

  // The shared store, whose reads fail on demand.
  class FlakyStore final : public StateStore {
   public:
    explicit FlakyStore(StateStore* inner) : inner_(inner) {}
    bool durable() const override { return true; }
    std::string Describe() const override { return "flaky"; }
    Result<std::map<std::string, StoredGroup>> LoadAll() override {
      if (fail_reads) return Status::Unavailable("table unreachable");
      auto all = inner_->LoadAll();
      if (all.ok() && unreadable) (*all)["web"].unreadable = "state: bad";
      return all;
    }
    Result<std::map<std::string, StoredGroup>> LoadGroups(
        const std::vector<std::string>& groups) override {
      asked.push_back(groups);
      return StateStore::LoadGroups(groups);
    }
    Status Save(const std::string& g, const std::string& p,
                const GroupState& s) override {
      return inner_->Save(g, p, s);
    }
    Status AppendSeries(const std::string& k,
                        const std::vector<MetricSample>& v) override {
      return inner_->AppendSeries(k, v);
    }
    Result<std::vector<MetricSample>> LoadSeries(const std::string& k,
                                                 TimePoint t) override {
      return inner_->LoadSeries(k, t);
    }
    bool fail_reads = false;
    bool unreadable = false;                      // web's record
    std::vector<std::vector<std::string>> asked;  // LoadGroups' groups

   private:
    StateStore* inner_;
  };

  std::unique_ptr<Scaler> Replica(Cloud* cloud, Leadership* leases,
                                  const char* policy = "reactive",
                                  Predictor* predictor = nullptr) {
    GroupConfig g;
    g.name = "web";
    EXPECT_TRUE(g.policy.Select(policy).ok());
    g.memory.enabled = false;
    auto s =
        std::make_unique<Scaler>(std::vector<GroupConfig>{g}, ScalerOptions{},
                                 ScalerEnv{.cloud = cloud,
                                           .clock = &clock_,
                                           .predictor = predictor,
                                           .store = &flaky_,
                                           .reporter = log_.get(),
                                           .leases = leases});
    EXPECT_TRUE(s->Init(clock_.Now()).ok());
    return s;
  }
  std::optional<TimePoint> SavedLastAction() {
    auto all = store_->LoadAll();
    if (!all.ok() || !all->count("web")) return std::nullopt;
    return all->at("web").state.guard.last_action;
  }
  std::string Log() {
    std::ifstream in(dir_ / "out" / "ec2_monitor.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  const TimePoint kStart = FromUnixSeconds(1767225600);
  ManualClock clock_{kStart};
  std::unique_ptr<SqliteStateStore> store_;
  std::unique_ptr<Recorder> rec_;
  std::unique_ptr<LogReporter> log_;
  std::unique_ptr<SimCloud> sim_;
  FlakyStore flaky_{nullptr};
};

TEST_F(HaLoopTest, TheNewHolderReadsTheStateAndKeepsTheCooldown) {
  CountingCloud cloud_a(sim_.get()), cloud_b(sim_.get());
  FakeLeadership lease_a, lease_b;
  lease_a.id = "replica-a";
  lease_b.id = "replica-b";
  lease_a.Hold(1);
  lease_b.LoseTo("replica-a");
  auto a = Replica(&cloud_a, &lease_a);
  auto b = Replica(&cloud_b, &lease_b);
  // Both run every 10 s; the load wants more instances all along.
  std::optional<TimePoint> acted;
  bool b_said_standby = false;
  while (!acted && clock_.Now() < kStart + minutes(10)) {
    a->RunOnce(clock_.Now());
    CycleReport rb = b->RunOnce(clock_.Now());
    b_said_standby = b_said_standby || !rb.groups[0].standby.empty();
    if (cloud_a.calls > 0) acted = SavedLastAction();
    clock_.Advance(seconds(10));
  }
  ASSERT_TRUE(acted) << "the holder acted";
  EXPECT_EQ(cloud_b.calls, 0) << "the standby never acts";
  EXPECT_TRUE(b_said_standby);
  EXPECT_GE(lease_a.may_act_calls, 1) << "the holder checked its lease";
  // More standby cycles: the holder's record is untouched by the standby.
  for (int i = 0; i < 3; ++i) {
    b->RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  EXPECT_EQ(SavedLastAction(), acted) << "a standby never saves";
  EXPECT_NE(Log().find("STANDBY: SCALING UP"), std::string::npos) << Log();
  // The lease passes to b (a is gone) 40 s after a's action, inside the
  // reactive policy's cooldown.
  lease_a.LoseTo("replica-b");
  lease_b.Hold(1);
  Duration cooldown = a->groups()[0].policy.guard().cooldown;
  ASSERT_GT(cooldown, seconds(60));
  int before = cloud_b.calls;
  while (clock_.Now() < *acted + cooldown) {
    b->RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  EXPECT_EQ(cloud_b.calls, before) << "b kept a's cooldown";
  EXPECT_NE(Log().find("now holds the group's lease"), std::string::npos);
  while (cloud_b.calls == before && clock_.Now() < *acted + cooldown * 2) {
    b->RunOnce(clock_.Now());
    clock_.Advance(seconds(10));
  }
  EXPECT_EQ(cloud_b.calls, before + 1) << "and acts once it is over";
  EXPECT_GE(*SavedLastAction(), *acted + cooldown);
}

// What AWS has not delivered is measured by the standby too, and kept when
// it takes the lease, the holder's record read (the record does not keep
// it): launches failing for 20 minutes under a (the seed policy, adding
// one a cooldown), b holds scale-out from its first cycle as holder.
TEST_F(HaLoopTest, ANewHolderKeepsWhatItMeasuredOfAwsDelivery) {
  // AWS accepts every desired capacity and launches nothing.
  class NotLaunching final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::vector<GroupDescription>> DescribeGroups(
        const std::vector<std::string>& names) override {
      auto r = ForwardingCloud::DescribeGroups(names);
      if (r.ok() && *asked > 0) {
        for (GroupDescription& d : *r) d.desired_capacity = *asked;
      }
      return r;
    }
    Status SetDesiredCapacity(const std::string&, int d) override {
      *asked = d;
      return Status::OK();
    }
    int* asked = nullptr;
  };
  int asked = 0;
  NotLaunching cloud_a(sim_.get()), cloud_b(sim_.get());
  cloud_a.asked = cloud_b.asked = &asked;
  phas::testing::ScriptedPredictor always_up;
  FakeLeadership lease_a, lease_b;
  lease_a.id = "replica-a";
  lease_b.id = "replica-b";
  lease_a.Hold(1);
  lease_b.LoseTo("replica-a");
  auto a = Replica(&cloud_a, &lease_a, "seed", &always_up);
  auto b = Replica(&cloud_b, &lease_b, "seed", &always_up);
  for (TimePoint end = clock_.Now() + minutes(20); clock_.Now() < end;
       clock_.Advance(seconds(10))) {
    a->RunOnce(clock_.Now());
    b->RunOnce(clock_.Now());
  }
  ASSERT_GT(asked, 2) << "a scaled out";
  ASSERT_TRUE(SavedLastAction()) << "a's record";
  lease_a.LoseTo("replica-b");
  lease_b.Hold(2);
  const int before = asked;
  CycleReport r = b->RunOnce(clock_.Now());
  ASSERT_TRUE(r.groups[0].standby.empty()) << r.groups[0].standby;
  EXPECT_EQ(r.groups[0].decision.held_by, GuardRule::kNotDelivered)
      << r.groups[0].decision.reason;
  EXPECT_EQ(asked, before);
}

// A holder that cannot read the state does not act blind; once it reads,
// it does.
// With replicas and no record of the group, the lease's new holder reads
// AWS's activities (a previous holder's SetDesiredCapacity inside the
// cooldown holds it), not every standby at start; before, a failover onto
// an empty table let a second action follow inside the cooldown.
TEST_F(HaLoopTest, ANewHolderWithoutARecordReadsTheActivities) {
  class Activities final : public ForwardingCloud {
   public:
    using ForwardingCloud::ForwardingCloud;
    Result<std::optional<TimePoint>> LastDesiredCapacitySet(
        const std::string&) override {
      ++reads;
      return set;
    }
    Status SetDesiredCapacity(const std::string& g, int d) override {
      ++calls;
      return ForwardingCloud::SetDesiredCapacity(g, d);
    }
    std::optional<TimePoint> set;
    int reads = 0, calls = 0;
  };
  Activities cloud(sim_.get());
  cloud.set = kStart - seconds(10);
  FakeLeadership lease;
  auto r = Replica(&cloud, &lease);
  EXPECT_EQ(cloud.reads, 0) << "a standby at start reads nothing";
  lease.Hold(1);
  r->RunOnce(clock_.Now());
  EXPECT_EQ(cloud.reads, 1);
  EXPECT_EQ(r->state("web").guard.last_action,
            std::optional<TimePoint>(kStart - seconds(10)));
  // Cycles every 10 s: the first action waits for the cooldown from the
  // recorded set (without it, the first with metrics, at about 1 minute).
  std::optional<TimePoint> first;
  for (int i = 0; i < 40 && !first; ++i) {
    clock_.Advance(seconds(10));
    r->RunOnce(clock_.Now());
    if (cloud.calls > 0) first = clock_.Now();
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_GE(*first, kStart + seconds(290));
  EXPECT_EQ(cloud.reads, 1) << "read once, at the acquisition";
}

TEST_F(HaLoopTest, ANewHolderThatCannotReadTheStateDoesNotAct) {
  struct Case {
    const char* name;
    bool fail_reads, unreadable;
    const char* standby;
  };
  const Case cases[] = {
      {"the table unreachable", true, false, "state not read yet"},
      {"its record unreadable", false, true,
       "lease acquired, state unreadable: state: bad"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    CountingCloud cloud(sim_.get());
    FakeLeadership lease;
    auto r = Replica(&cloud, &lease);
    lease.Hold(1);
    flaky_.fail_reads = tc.fail_reads;
    flaky_.unreadable = tc.unreadable;
    flaky_.asked.clear();
    CycleReport rep = r->RunOnce(clock_.Now());
    // The new holder asks for the groups it newly holds, by name.
    EXPECT_EQ(flaky_.asked, (std::vector<std::vector<std::string>>{{"web"}}));
    clock_.Advance(minutes(5));
    rep = r->RunOnce(clock_.Now());
    EXPECT_EQ(cloud.calls, 0);
    EXPECT_NE(rep.groups[0].standby.find(tc.standby), std::string::npos)
        << rep.groups[0].standby;
    // A record that does not read is an error each cycle (an alert's
    // errors_total), not only a standby's reason.
    EXPECT_EQ(rep.groups[0].errors.size(), tc.unreadable ? 1u : 0u);
    flaky_.fail_reads = flaky_.unreadable = false;
    for (int i = 0; i < 60 && cloud.calls == 0; ++i) {
      rep = r->RunOnce(clock_.Now());
      clock_.Advance(seconds(10));
    }
    EXPECT_EQ(rep.groups[0].standby, "") << "reads, and holds the group";
    EXPECT_TRUE(rep.groups[0].errors.empty());
  }
}

}  // namespace
}  // namespace phas
