// Where phas's AWS settings come from, with no network: the region's
// resolution order, each service's endpoint (environment, config, the
// partition's default), endpoints that are not URLs, and the shared
// config's INI.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "aws/credential_providers.h"
#include "aws/profile.h"
#include "aws/session.h"
#include "test_util.h"

namespace phas::aws {
namespace {

TimePoint T0() {
  TimePoint t;
  ParseIso8601("2026-01-01T00:00:00Z", &t);
  return t;
}

TEST(RegionAndEndpointTest, ResolutionOrder) {
  Profile profile;
  profile.name = "p";
  profile.values["region"] = "from-profile";
  struct Case {
    const char* name;
    std::string flag;
    std::map<std::string, std::string> env;
    // expected
    std::string region;
  };
  const Case cases[] = {
      {"flag wins",
       "from-flag",
       {{"AWS_REGION", "r1"}, {"AWS_DEFAULT_REGION", "r2"}},
       "from-flag"},
      {"AWS_REGION",
       "",
       {{"AWS_REGION", "r1"}, {"AWS_DEFAULT_REGION", "r2"}},
       "r1"},
      {"AWS_DEFAULT_REGION", "", {{"AWS_DEFAULT_REGION", "r2"}}, "r2"},
      {"profile", "", {}, "from-profile"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto r = ResolveRegion(tc.flag, MapEnvironment(tc.env), profile, nullptr);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->region, tc.region);
  }
  // Messages name keys the config accepts: the top-level `region`, never
  // `aws.region` (which the config rejects as unknown).
  auto none = ResolveRegion("", MapEnvironment({}), Profile(), nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("`region:` at the top of the config"),
            std::string::npos)
      << none.status().message();
  EXPECT_EQ(none.status().message().find("aws.region"), std::string::npos);
  auto flag = ResolveRegion("r", MapEnvironment({}), Profile(), nullptr);
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->source, "--region or the config's region");
  auto from_file = ResolveRegion("r", MapEnvironment({}), Profile(), nullptr,
                                 "phas.yaml: region");
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->source, "phas.yaml: region");

  struct EpCase {
    const char* name;
    Service service;
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> config;
    std::string region;
    // expected
    std::string url;
    std::string signing_name;
  };
  const EpCase eps[] = {
      {"standard autoscaling",
       Service::kAutoScaling,
       {},
       {},
       "eu-west-1",
       "https://autoscaling.eu-west-1.amazonaws.com",
       "autoscaling"},
      {"standard cloudwatch",
       Service::kCloudWatch,
       {},
       {},
       "eu-west-1",
       "https://monitoring.eu-west-1.amazonaws.com",
       "monitoring"},
      {"china",
       Service::kEc2,
       {},
       {},
       "cn-north-1",
       "https://ec2.cn-north-1.amazonaws.com.cn",
       "ec2"},
      {"service env beats global env",
       Service::kCloudWatch,
       {{"AWS_ENDPOINT_URL_CLOUDWATCH", "http://cw:1/"},
        {"AWS_ENDPOINT_URL", "http://all:2"}},
       {},
       "r",
       "http://cw:1",
       "monitoring"},
      {"global env beats config",
       Service::kEc2,
       {{"AWS_ENDPOINT_URL", "http://all:2"}},
       {{"ec2", "http://cfg:3"}},
       "r",
       "http://all:2",
       "ec2"},
      {"config per service beats config default",
       Service::kAutoScaling,
       {},
       {{"autoscaling", "http://as:4"}, {"default", "http://d:5"}},
       "r",
       "http://as:4",
       "autoscaling"},
      {"ignore configured endpoints",
       Service::kAutoScaling,
       {{"AWS_ENDPOINT_URL", "http://all:2"},
        {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}},
       {},
       "us-east-2",
       "https://autoscaling.us-east-2.amazonaws.com",
       "autoscaling"},
  };
  for (const EpCase& tc : eps) {
    SCOPED_TRACE(tc.name);
    ServiceEndpoint ep = ResolveEndpoint(tc.service, tc.region,
                                         MapEnvironment(tc.env), tc.config);
    EXPECT_EQ(ep.url, tc.url);
    EXPECT_EQ(ep.signing_name, tc.signing_name);
  }
}

// A region is part of every endpoint's host name: one that is not a
// region's name is refused, naming where it came from (it made every call
// fail with "URL using bad/illegal format").
TEST(RegionAndEndpointTest, ARegionMustBeARegionsName) {
  struct Case {
    std::string flag;
    std::map<std::string, std::string> env;
    const char* want;  // in the error; "" for none
  };
  const Case cases[] = {
      {"us-gov-west-1", {}, ""},
      {"eu west 1/../x",
       {},
       "--region or the config's region: not an AWS "
       "region name"},
      {"", {{"AWS_REGION", "US-EAST-1"}}, "AWS_REGION: not an AWS region"},
      {"", {{"AWS_DEFAULT_REGION", "us-east-1."}}, "AWS_DEFAULT_REGION"},
      {"-us", {}, "not an AWS region name"},
      {"us--east", {}, "not an AWS region name"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.flag);
    auto r = ResolveRegion(tc.flag, MapEnvironment(tc.env), Profile(), nullptr);
    if (std::string(tc.want).empty()) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      continue;
    }
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(tc.want), std::string::npos)
        << r.status().message();
  }
}

// An endpoint URL without a scheme is refused when the session is built,
// naming where it came from (SendOnce took the host from after "://" and
// threw std::out_of_range on a short URL).
TEST(RegionAndEndpointTest, EndpointsMustBeHttpUrls) {
  struct Case {
    const char* name;
    // input
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> config;
    // expected in the error
    const char* want;
  };
  const Case cases[] = {
      {"one character",
       {{"AWS_ENDPOINT_URL_EC2", "x"}},
       {},
       "AWS_ENDPOINT_URL_EC2: must be an http:// or https:// URL, got 'x'"},
      {"only a slash",
       {{"AWS_ENDPOINT_URL", "/"}},
       {},
       "AWS_ENDPOINT_URL: must be an http:// or https:// URL, got ''"},
      {"host and port",
       {{"AWS_ENDPOINT_URL_STS", "localhost:5000"}},
       {},
       "AWS_ENDPOINT_URL_STS: must be an http:// or https:// URL"},
      {"config default",
       {},
       {{"default", "moto"}},
       "config aws.endpoints.default: must be an http:// or https:// URL"},
      // A password is never echoed.
      {"a user and password",
       {{"AWS_ENDPOINT_URL", "https://ops:hunter2pw@gw.example.com/aws"}},
       {},
       "AWS_ENDPOINT_URL: must not hold a user name or password "
       "(https://…@gw.example.com/aws)"},
      {"a user and password in the config",
       {},
       {{"sts", "http://ops:hunter2pw@localhost:5000"}},
       "config aws.endpoints.sts: must not hold a user name or password"},
      {"a password without a scheme",
       {{"AWS_ENDPOINT_URL_EC2", "ops:hunter2pw@gw:5000"}},
       {},
       "AWS_ENDPOINT_URL_EC2: must be an http:// or https:// URL, got "
       "'…@gw:5000'"},
      // An unencoded '/' ends the authority early: still a password.
      {"a password holding a slash",
       {{"AWS_ENDPOINT_URL", "https://ops:hunter2/pw@gw.example.com"}},
       {},
       "AWS_ENDPOINT_URL: must not hold a user name or password "
       "(https://…@gw.example.com)"},
      {"a password holding a slash, without a scheme",
       {{"AWS_ENDPOINT_URL_EC2", "ops:hunter2/pw@gw:5000"}},
       {},
       "got '…@gw:5000'"},
      {"a password holding a question mark",
       {{"AWS_ENDPOINT_URL", "https://ops:hunter2?pw@gw.example.com"}},
       {},
       "(https://…@gw.example.com)"},
      {"a password holding a hash",
       {{"AWS_ENDPOINT_URL", "https://ops:hunter2#pw@gw.example.com"}},
       {},
       "(https://…@gw.example.com)"},
      {"a password holding a question mark, without a scheme",
       {{"AWS_ENDPOINT_URL_EC2", "ops:hunter2?pw@gw:5000"}},
       {},
       "got '…@gw:5000'"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::map<std::string, std::string> env = tc.env;
    env["AWS_REGION"] = "us-east-1";
    env["HOME"] = "/nonexistent";
    AwsOptions opts;
    opts.endpoints = tc.config;
    ManualClock clock(T0());
    Result<std::unique_ptr<AwsSession>> s = Status::Internal("not run");
    EXPECT_NO_THROW(s = AwsSession::Create(opts, MapEnvironment(env), &clock));
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.status().IsInvalidArgument());
    EXPECT_NE(s.status().message().find(tc.want), std::string::npos)
        << s.status().message();
    EXPECT_EQ(s.status().message().find("hunter2"), std::string::npos)
        << s.status().message();
  }
}

// A client built on such an endpoint anyway fails its call, not throws.
TEST(RegionAndEndpointTest, ClientOnAUrlWithoutSchemeDoesNotThrow) {
  class Refusing final : public HttpTransport {
   public:
    Result<HttpReply> Send(const HttpCall&) override {
      return Status::Unavailable("refused", false);
    }
  };
  ManualClock clock(T0());
  auto creds = std::make_shared<StaticCredentialsProvider>(
      Credentials{"AKIDEXAMPLE", "s", "", std::nullopt, "static"});
  for (const char* url : {"", "x", "ec2"}) {
    SCOPED_TRACE(url);
    QueryClient client({"ec2", "ec2", "2016-11-15", url, "us-east-1", "test"},
                       std::make_shared<Refusing>(), creds, &clock);
    Result<XmlDoc> r = Status::Internal("not run");
    EXPECT_NO_THROW(r = client.Call("DescribeInstances", {}));
    EXPECT_FALSE(r.ok());
  }
}

using CredentialsFilesTest = phas::testing::TempDirTest;

TEST(ProfileTest, IniParsing) {
  auto parsed = ParseIni(
      "# comment\n[default]\nregion = us-east-1 \n; other\n[profile x]\n"
      "s3 =\n  max_concurrent_requests = 10\nkey=value=with=equals\n"
      "[colons]\naws_access_key_id: AKIDCOLON\n"
      "role_arn: arn:aws:iam::123456789012:role/x\n"
      "source = arn:aws:iam::1:role/y\n"
      "[prod] ; the production account\r\nAWS_Secret_Access_Key = s\r\n"
      "Extra = first\n  second\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  IniFile ini = *parsed;
  EXPECT_EQ(ini["default"]["region"], "us-east-1");
  EXPECT_EQ(ini["profile x"]["s3.max_concurrent_requests"], "10");
  EXPECT_EQ(ini["profile x"]["key"], "value=with=equals");
  // Either delimiter, the first on the line, as botocore's configparser.
  EXPECT_EQ(ini["colons"]["aws_access_key_id"], "AKIDCOLON");
  EXPECT_EQ(ini["colons"]["role_arn"], "arn:aws:iam::123456789012:role/x");
  EXPECT_EQ(ini["colons"]["source"], "arn:aws:iam::1:role/y");
  // As configparser: text after a section's ']' is left out, keys are
  // lower-cased, and a line indented deeper than its key continues it.
  // Before, "[prod] ; ..." was skipped and its keys went to [colons].
  EXPECT_EQ(ini["prod"]["aws_secret_access_key"], "s");
  EXPECT_EQ(ini["prod"]["extra"], "first\nsecond");
  EXPECT_EQ(ini["colons"].count("aws_secret_access_key"), 0u);
}

// As configparser reads text: a lone CR ends a line (a file with CR line
// ends was one line, a profile without keys), [DEFAULT]'s keys go to every
// section under its own and it may come again (it was a profile named
// DEFAULT, and twice refused), a section's name is as written ("[ prod ]"
// is not "prod"), and blank lines inside a value are kept.
TEST(ProfileTest, IniReadsAsConfigparser) {
  auto cr =
      ParseIni("[default]\raws_access_key_id = A\raws_secret_access_key = S\r");
  ASSERT_TRUE(cr.ok()) << cr.status().ToString();
  EXPECT_EQ((*cr)["default"]["aws_access_key_id"], "A");
  EXPECT_EQ((*cr)["default"]["aws_secret_access_key"], "S");

  auto d = ParseIni(
      "[DEFAULT]\naws_access_key_id = AKIADEFAULT\nregion = r0\n[prod]\n"
      "region = r1\n[DEFAULT]\naws_secret_access_key = S\n[ prod ]\nk = v\n"
      "role_arn = r\n\n  extra\n");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->count("DEFAULT"), 0u);
  EXPECT_EQ((*d)["prod"]["aws_access_key_id"], "AKIADEFAULT");
  EXPECT_EQ((*d)["prod"]["aws_secret_access_key"], "S");
  EXPECT_EQ((*d)["prod"]["region"], "r1");
  EXPECT_EQ((*d)[" prod "]["k"], "v");
  EXPECT_EQ((*d)[" prod "]["role_arn"], "r\n\nextra");
}

// The config file's profiles as botocore's build_profile_map finds them:
// any header beginning "profile" that shlex splits in two ("[profile  x]",
// "[profile \"y\"]", "[profilefoo z]"), not one it does not ("[profile v
// u]"); "[default]" and "[profile default]" are one profile, the later
// section replacing the earlier whole. Before, x, y and z were not found,
// "v u" was, and the two defaults were merged: the CLI's default profile
// here has no role, phas's assumed it.
TEST_F(CredentialsFilesTest, ConfigProfilesAsBotocoreMapsThem) {
  std::string config =
      Write("config",
            "[profile  x]\nregion = a\n[profile \"y\"]\nregion = b\n"
            "[profilefoo z]\nregion = c\n[profile v u]\nregion = d\n"
            "[profile default]\nrole_arn = arn:aws:iam::1:role/r\n"
            "credential_source = Environment\n[default]\nregion = e\n");
  auto files = LoadSharedConfig(
      MapEnvironment({{"HOME", dir_.string()}, {"AWS_CONFIG_FILE", config}}));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->Find("x").Get("region"), "a");
  EXPECT_EQ(files->Find("y").Get("region"), "b");
  EXPECT_EQ(files->Find("z").Get("region"), "c");
  EXPECT_FALSE(files->Find("v u").found);
  Profile def = files->Find("default");
  EXPECT_EQ(def.Get("region"), "e");
  EXPECT_EQ(def.Get("role_arn"), "");
}

// What the AWS CLI refuses to read ("Unable to parse config file") is an
// error naming the line, never its text; before, it was skipped, and a
// profile could go on with another identity ("source_profile prod"
// without its '=' left a role profile without the keys to assume it).
TEST(ProfileTest, WhatBotocoreRefusesIsAnError) {
  struct Case {
    const char* name;
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"no delimiter", "[p]\naws_access_key_id = A\nsource_profile secret\n",
       "line 3: neither a [section] nor key = value"},
      {"before any section", "region = x\n[p]\n",
       "line 1: a setting before any [section]"},
      {"section twice", "[p]\na = 1\n[q]\n[p]\nb = 2\n",
       "line 4: a [section] that is already in the file"},
      {"key twice", "[p]\naws_access_key_id = A\nAWS_ACCESS_KEY_ID = B\n",
       "line 3: a key that is already in its section"},
      {"no key", "[p]\n= secret\n", "line 2: a value without a key"},
      {"empty brackets", "[p]\n[]\n", "line 2: neither a [section]"},
      {"nested line without '='", "[p]\ns3 =\n  secret\n",
       "[p] s3: a nested line without '='"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto ini = ParseIni(tc.text);
    if (ini.ok()) {
      ADD_FAILURE() << "read";
      continue;
    }
    EXPECT_EQ(ini.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(ini.status().message().find(tc.says), std::string::npos)
        << ini.status().message();
    EXPECT_EQ(ini.status().message().find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace phas::aws
