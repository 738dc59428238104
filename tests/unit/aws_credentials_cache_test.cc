// The credentials cache (CachingCredentialsProvider): refreshed before
// expiry, and after a failed ask, the wait before the source is asked
// again, with valid credentials and with none.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "aws/credential_providers.h"

namespace phas::aws {
namespace {

// A source whose answers are set by the test; counts the calls.
class ScriptedSource final : public CredentialsProvider {
 public:
  Result<Credentials> Get(TimePoint now) override {
    ++calls;
    if (!up) return Status::Unavailable("sts: connection refused");
    return Credentials{"ASIA" + std::to_string(calls), "s", "t", now + lifetime,
                       "scripted"};
  }
  std::string name() const override { return "scripted"; }
  bool up = true;
  Duration lifetime = std::chrono::hours(1);  // from the ask
  int calls = 0;
};

// A source that is not configured (the chain moves on).
class NotConfiguredSource final : public CredentialsProvider {
 public:
  Result<Credentials> Get(TimePoint) override {
    ++calls;
    return Status::NotFound("not set");
  }
  std::string name() const override { return "absent"; }
  int calls = 0;
};

// A failed refresh keeps the valid credentials and asks the source again
// kRetryAfter later (sooner near expiry: half the time left), not at every
// request. Once they have expired, the failed ask's error answers until the
// source is asked again, 1 s later, then twice as long after each failure,
// 30 s at most; a success ends the wait.
TEST(CachingCredentialsTest, AFailedRefreshIsRetriedAfterAWaitNotAtEveryCall) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  auto source = std::make_shared<ScriptedSource>();
  CachingCredentialsProvider cache(source);
  const TimePoint t0 = FromUnixSeconds(1767225600);
  ASSERT_TRUE(cache.Get(t0).ok());  // valid until t0 + 1 h
  struct Step {
    Duration at;  // after t0
    bool up;
    int calls;               // the source's calls so far
    std::string key;         // the answer's key; "" for an error
    std::string error = "";  // in the error
  };
  const std::vector<Step> steps = {
      {minutes(54), false, 1, "ASIA1"},                // cached, not asked
      {minutes(56), false, 2, "ASIA1"},                // refresh fails: kept
      {minutes(56) + seconds(1), false, 2, "ASIA1"},   // waits
      {minutes(56) + seconds(29), false, 2, "ASIA1"},  // waits
      {minutes(56) + seconds(30), false, 3, "ASIA1"},  // asks again
      {minutes(59) + seconds(40), false, 4, "ASIA1"},  // 20 s left: 10 s
      {minutes(59) + seconds(49), false, 4, "ASIA1"},
      {minutes(59) + seconds(50), false, 5, "ASIA1"},
      {minutes(59) + seconds(59), false, 6, "ASIA1"},  // a second at least
      {minutes(59) + std::chrono::milliseconds(59600), false, 6, "ASIA1"},
      {minutes(60), false, 7, "", "expired"},  // expired: fails
      {minutes(60) + std::chrono::milliseconds(500), false, 7, "",
       "expired"},                                          // its error: 1 s
      {minutes(60) + seconds(1), false, 8, "", "expired"},  // then 2 s
      {minutes(60) + seconds(2), false, 8, "", "expired"},
      {minutes(60) + seconds(3), false, 9, "", "expired"},    // then 4 s
      {minutes(60) + seconds(7), false, 10, "", "expired"},   // 8 s
      {minutes(60) + seconds(15), false, 11, "", "expired"},  // 16 s
      {minutes(60) + seconds(31), false, 12, "", "expired"},  // 30 s at most
      {minutes(61), true, 12, "", "expired"},  // the source is up: waits
      {minutes(61) + seconds(1), true, 13, "ASIA13"},
      {minutes(62), true, 13, "ASIA13"},  // cached again
      {minutes(121) + seconds(1), false, 14, "", "expired"},
      {minutes(121) + seconds(2), true, 15, "ASIA15"},  // a second: reset
  };
  for (const Step& s : steps) {
    SCOPED_TRACE(FormatIso8601(t0 + s.at));
    source->up = s.up;
    auto c = cache.Get(t0 + s.at);
    EXPECT_EQ(source->calls, s.calls);
    if (s.key.empty()) {
      ASSERT_FALSE(c.ok());
      EXPECT_NE(c.status().message().find("connection refused"),
                std::string::npos)
          << c.status().ToString();
      EXPECT_NE(c.status().message().find(s.error), std::string::npos)
          << c.status().ToString();
    } else {
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_EQ(c->access_key_id, s.key);
    }
  }
}

// A refresh failing less than 2 s before expiry is asked again after it
// (a second at least): a call between answers that failure, with the
// expiry named.
TEST(CachingCredentialsTest, AnExpiryInsideARefreshWaitAnswersTheFailure) {
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  auto source = std::make_shared<ScriptedSource>();
  CachingCredentialsProvider cache(source);
  const TimePoint t0 = FromUnixSeconds(1767225600);
  ASSERT_TRUE(cache.Get(t0).ok());  // valid until t0 + 1 h
  source->up = false;
  // Fails 0.5 s before expiry: asked again at t0 + 1 h + 0.5 s.
  ASSERT_TRUE(cache.Get(t0 + minutes(60) - milliseconds(500)).ok());
  auto c = cache.Get(t0 + minutes(60) + milliseconds(200));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(source->calls, 2);
  EXPECT_NE(c.status().message().find("connection refused"), std::string::npos)
      << c.status().ToString();
  EXPECT_NE(c.status().message().find("expired"), std::string::npos)
      << c.status().ToString();
}

// The wait after a failed ask runs on the wall clock: a call before that
// ask (the clock stepped back) asks again, or the wait would last as long
// as the step.
TEST(CachingCredentialsTest, AClockSteppedBackEndsTheWait) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  auto source = std::make_shared<ScriptedSource>();
  const TimePoint t0 = FromUnixSeconds(1767225600);
  {
    // Nothing valid: the error answers for 1 s.
    source->up = false;
    CachingCredentialsProvider cache(source);
    EXPECT_FALSE(cache.Get(t0).ok());
    EXPECT_FALSE(cache.Get(t0 + milliseconds(500)).ok());
    EXPECT_EQ(source->calls, 1);
    source->up = true;
    auto c = cache.Get(t0 - hours(1));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(source->calls, 2);
  }
  {
    // Valid, a refresh failed: asked again 30 s later, or at once after a
    // step back into the refresh window.
    source->calls = 0;
    CachingCredentialsProvider cache(source);
    ASSERT_TRUE(cache.Get(t0).ok());  // valid until t0 + 1 h
    source->up = false;
    ASSERT_TRUE(cache.Get(t0 + minutes(58)).ok());
    EXPECT_EQ(source->calls, 2);
    ASSERT_TRUE(cache.Get(t0 + minutes(58) + milliseconds(500)).ok());
    EXPECT_EQ(source->calls, 2);  // waits
    source->up = true;
    auto c = cache.Get(t0 + minutes(57));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(source->calls, 3);
    EXPECT_EQ(c->access_key_id, "ASIA3");
  }
}

// Credentials that come expired or inside the refresh window by this host's
// clock (a helper's old Expiration, or this clock ahead of AWS's: then they
// are good, and refusing them stopped phas until the clock was fixed) are
// used, and the source is asked again in half their time left, 30 s at
// most (30 s once expired), not at every call. Valid credentials that
// outlive them stay in use.
TEST(CachingCredentialsTest, ShortLivedCredentialsAreUsedAndAskedAgainLater) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  const TimePoint t0 = FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  struct Step {
    Duration at;        // after t0
    Duration lifetime;  // of the source's answer, from the ask
    int calls;          // the source's calls so far
    std::string key;    // the answer's key
  };
  struct Case {
    const char* name;
    bool valid_first;  // the cache holds credentials valid for an hour
    std::vector<Step> steps;
  };
  const Case cases[] = {
      {"expired on arrival (a clock ahead, say)",
       false,
       {{seconds(0), -minutes(60), 1, "ASIA1"},
        {std::chrono::milliseconds(500), -minutes(1), 1, "ASIA1"},
        {seconds(29), -minutes(1), 1, "ASIA1"},
        {seconds(30), minutes(60), 2, "ASIA2"},
        {seconds(40), minutes(60), 2, "ASIA2"}}},
      {"two minutes left: asked again in 30 s",
       false,
       {{seconds(0), minutes(2), 1, "ASIA1"},
        {seconds(29), minutes(2), 1, "ASIA1"},
        {seconds(30), minutes(60), 2, "ASIA2"},
        {seconds(40), minutes(60), 2, "ASIA2"}}},
      {"40 s left: asked again in 20 s",
       false,
       {{seconds(0), seconds(40), 1, "ASIA1"},
        {seconds(19), seconds(40), 1, "ASIA1"},
        {seconds(20), minutes(60), 2, "ASIA2"}}},
      {"a refresh giving less than those held",
       true,
       {{minutes(56), -minutes(1), 2, "ASIA1"},
        {minutes(56) + seconds(10), minutes(60), 2, "ASIA1"},
        {minutes(56) + seconds(30), minutes(60), 3, "ASIA3"}}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto source = std::make_shared<ScriptedSource>();
    CachingCredentialsProvider cache(source);
    if (tc.valid_first) {
      ASSERT_TRUE(cache.Get(t0).ok());
    }
    for (const Step& s : tc.steps) {
      SCOPED_TRACE(FormatIso8601(t0 + s.at));
      source->lifetime = s.lifetime;
      auto c = cache.Get(t0 + s.at);
      EXPECT_EQ(source->calls, s.calls);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_EQ(c->access_key_id, s.key);
    }
  }
  // Through the chain: the source answered, and is kept.
  auto source = std::make_shared<ScriptedSource>();
  source->lifetime = -minutes(5);
  CredentialChain chain({source});
  auto c = chain.Get(t0);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIA1");
  ASSERT_TRUE(chain.Get(t0 + seconds(1)).ok());
  EXPECT_EQ(source->calls, 1);
}

// The chain keeps the first source configured but broken as it keeps one
// that answered: asked again after the cache's wait, not at every call
// (each ask waits out STS's retries or a credential_process's run), with
// the source named in every answer.
TEST(CredentialChainTest, ABrokenSourceIsAskedAgainAfterAWait) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const TimePoint t0 = FromUnixSeconds(1767225600);
  auto absent = std::make_shared<NotConfiguredSource>();
  auto source = std::make_shared<ScriptedSource>();
  source->up = false;
  CredentialChain chain({absent, source});
  struct Step {
    Duration at;  // after t0
    bool up;
    int calls;        // the source's calls so far
    std::string key;  // the answer's key; "" for an error
  };
  const Step steps[] = {
      {seconds(0), false, 1, ""},
      {milliseconds(500), false, 1, ""},  // its error, not asked
      {seconds(1), false, 2, ""},
      {seconds(2), true, 2, ""},  // up, but 2 s after the second failure
      {seconds(3), true, 3, "ASIA3"},
      {seconds(4), true, 3, "ASIA3"},
  };
  for (const Step& s : steps) {
    SCOPED_TRACE(FormatIso8601(t0 + s.at));
    source->up = s.up;
    auto c = chain.Get(t0 + s.at);
    EXPECT_EQ(source->calls, s.calls);
    EXPECT_EQ(absent->calls, 1) << "the sources before it are not asked again";
    if (s.key.empty()) {
      ASSERT_FALSE(c.ok());
      EXPECT_FALSE(c.status().IsNotFound());
      EXPECT_NE(c.status().message().find(
                    "credentials (scripted): sts: connection refused"),
                std::string::npos)
          << c.status().ToString();
    } else {
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      EXPECT_EQ(c->access_key_id, s.key);
    }
  }
}

}  // namespace
}  // namespace phas::aws
