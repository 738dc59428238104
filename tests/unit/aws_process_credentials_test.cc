// credential_process: the command line split as the AWS CLI splits it (no
// shell), small scripts in a temp dir as helpers, the time and output
// limits, the Version 1 document; errors name the profile and key and never
// the output.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "aws/process_credentials.h"
#include "aws/session.h"

namespace phas::aws {
namespace {

namespace fs = std::filesystem;

constexpr char kSecret[] = "wJalrXUtnFEMI-process-secret";

TEST(SplitCommandLineTest, AsPosixShlexSplits) {
  struct Case {
    const char* name;
    std::string line;
    std::vector<std::string> words;  // empty: an error
    const char* error = "";
  };
  const Case cases[] = {
      {"words", "  helper  --profile  dev ", {"helper", "--profile", "dev"}},
      {"single quotes keep everything",
       R"(a 'b "c" \d $HOME')",
       {"a", R"(b "c" \d $HOME)"}},
      {"double quotes keep backslash before others",
       R"("a \"b\" \\ \n")",
       {R"(a "b" \ \n)"}},
      {"backslash outside quotes", R"(a\ b c\\d)", {"a b", R"(c\d)"}},
      {"quotes join a word", R"(--x='1 2'"3")", {"--x=1 23"}},
      {"empty quotes are a word", "a '' b", {"a", "", "b"}},
      {"no expansion",
       "echo $HOME ~ *.json | cat",
       {"echo", "$HOME", "~", "*.json", "|", "cat"}},
      {"unclosed single", "a 'b", {}, "unclosed single quote"},
      {"unclosed double", "a \"b", {}, "unclosed double quote"},
      {"lone backslash", "a \\", {}, "lone backslash"},
      {"empty", "   ", {}, "is empty"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto w = SplitCommandLine(tc.line);
    if (tc.words.empty()) {
      ASSERT_FALSE(w.ok());
      EXPECT_NE(w.status().message().find(tc.error), std::string::npos)
          << w.status().message();
      continue;
    }
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(*w, tc.words);
  }
}

class ProcessCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("phas_process_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // An executable shell script called `name` (spaces allowed).
  std::string Script(const std::string& name, const std::string& body) {
    fs::path p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    ::chmod(p.c_str(), 0755);
    return p.string();
  }
  Result<Credentials> Run(
      const std::string& command,
      std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    ProcessCredentialsProvider p("dev", command, timeout);
    return p.Get(TimePoint{});
  }

  fs::path dir_;
};

// The helper receives its words as written, without a shell: "$HOME" stays
// literal; a path with a space works when quoted.
TEST_F(ProcessCredentialsTest, RunsTheCommandWithoutAShell) {
  std::string helper =
      Script("my helper",
             fmt::format(R"(printf '{{"Version": 1, "AccessKeyId": "%s", )"
                         R"("SecretAccessKey": "{}", "SessionToken": "%s", )"
                         R"("Expiration": "2026-01-01T01:00:00Z"}}' "$1" "$2")",
                         kSecret));
  auto c = Run("'" + helper + "' $HOME \"two words\"");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "$HOME");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, "two words");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(FormatIso8601(*c->expiration), "2026-01-01T01:00:00Z");
  EXPECT_NE(c->source.find("profile 'dev': credential_process"),
            std::string::npos);

  // Without Expiration the credentials do not expire; a shell is there when
  // the command asks for one.
  auto longterm = Run(
      R"(sh -c 'echo "{\"Version\": 1, \"AccessKeyId\": \"AKIA$((6*7))\", \"SecretAccessKey\": \"s\"}"')");
  ASSERT_TRUE(longterm.ok()) << longterm.status().ToString();
  EXPECT_EQ(longterm->access_key_id, "AKIA42");
  EXPECT_FALSE(longterm->expiration.has_value());
}

TEST_F(ProcessCredentialsTest, FailuresNameProfileAndKeyNeverTheOutput) {
  std::string leak = fmt::format(
      R"(echo '{{"AccessKeyId": "AKIA", "SecretAccessKey": "{}"}}')", kSecret);
  struct Case {
    const char* name;
    // input
    std::string script;  // the helper's body
    std::chrono::milliseconds timeout = std::chrono::seconds(60);
    // expected in the message
    std::string want;
  };
  const Case cases[] = {
      {"exit status", leak + "\nexit 3", std::chrono::seconds(60),
       "profile 'dev': credential_process: exited with status 3"},
      {"not JSON", fmt::format("echo 'AccessKeyId={}'", kSecret),
       std::chrono::seconds(60), "output is not a JSON document"},
      {"no Version", leak, std::chrono::seconds(60),
       "Version is missing (must be 1)"},
      {"Version 2",
       fmt::format(R"(echo '{{"Version": 2, "SecretAccessKey": "{}"}}')",
                   kSecret),
       std::chrono::seconds(60), "Version 2 is not supported (must be 1)"},
      {"secret missing", R"(echo '{"Version": 1, "AccessKeyId": "AKIA"}')",
       std::chrono::seconds(60), "SecretAccessKey: missing"},
      {"secret of the wrong type",
       R"(echo '{"Version": 1, "AccessKeyId": "AKIA", "SecretAccessKey": 918273645}')",
       std::chrono::seconds(60),
       "SecretAccessKey: must be a string, got a number"},
      {"bad Expiration",
       fmt::format(R"(echo '{{"Version": 1, "AccessKeyId": "AKIA", )"
                   R"("SecretAccessKey": "{}", "Expiration": "soon"}}')",
                   kSecret),
       std::chrono::seconds(60), "Expiration is not an ISO 8601 time"},
      {"too much output", "head -c 100000 /dev/zero | tr '\\0' x",
       std::chrono::seconds(60), "printed more than 65536 bytes"},
      // The helper and what it started are killed at the limit.
      {"hangs", leak + "\nsleep 30 & sleep 30", std::chrono::milliseconds(300),
       "killed after 300 ms without finishing"},
      {"killed by a signal", "kill -9 $$", std::chrono::seconds(60),
       "killed by signal 9"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto c = Run(Script("helper.sh", tc.script), tc.timeout);
    ASSERT_FALSE(c.ok());
    const std::string& msg = c.status().message();
    EXPECT_NE(msg.find(tc.want), std::string::npos) << msg;
    EXPECT_NE(msg.find("profile 'dev': credential_process"), std::string::npos)
        << msg;
    EXPECT_EQ(msg.find(kSecret), std::string::npos) << msg;
    EXPECT_EQ(msg.find("918273645"), std::string::npos) << msg;
  }

  auto missing = Run(dir_.string() + "/no-such-helper --flag");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot run '" + dir_.string() +
                                            "/no-such-helper'"),
            std::string::npos)
      << missing.status().message();
  auto unclosed = Run("helper 'x");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.status().message().find(
                "profile 'dev': credential_process: unclosed single quote"),
            std::string::npos);
}

// Through the session: a profile with credential_process is a source of the
// chain, and a failing one stops it (no other identity is used).
TEST_F(ProcessCredentialsTest, ProfileInTheChain) {
  std::string ok = Script(
      "ok.sh",
      R"(echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s"}')");
  std::string fails = Script("fails.sh", "exit 1");
  std::ofstream(dir_ / "config")
      << "[profile good]\ncredential_process = " << ok
      << "\n[profile bad]\ncredential_process = " << fails << "\n";
  ManualClock clock(TimePoint{});
  for (auto [profile, want_ok] : {std::pair{"good", true}, {"bad", false}}) {
    SCOPED_TRACE(profile);
    std::map<std::string, std::string> vars = {
        {"HOME", dir_.string()},
        {"AWS_CONFIG_FILE", (dir_ / "config").string()},
        {"AWS_PROFILE", profile},
        {"AWS_REGION", "us-east-1"},
        {"AWS_EC2_METADATA_DISABLED", "true"}};
    auto s = AwsSession::Create({}, MapEnvironment(vars), &clock);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto c = (*s)->credentials()->Get(clock.Now());
    EXPECT_EQ(c.ok(), want_ok) << c.status().ToString();
    if (c.ok()) {
      EXPECT_EQ(c->access_key_id, "AKIAPROC");
    } else {
      EXPECT_NE(c.status().message().find(
                    "profile 'bad': credential_process: exited with status 1"),
                std::string::npos)
          << c.status().message();
    }
  }
}

}  // namespace
}  // namespace phas::aws
