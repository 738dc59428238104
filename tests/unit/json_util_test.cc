// The text helpers every JSON phas writes or quotes goes through: UTF-8
// checks, cuts that keep characters whole, and dumps that never throw.
#include "common/json_util.h"

#include <gtest/gtest.h>

#include <string>

namespace phas {
namespace {

TEST(JsonUtilTest, IsUtf8) {
  struct Case {
    const char* name;
    std::string text;
    bool utf8;
  };
  const Case cases[] = {
      {"empty", "", true},
      {"ascii", "web-1", true},
      {"two bytes", "caf\xc3\xa9", true},
      {"three bytes", "\xe2\x82\xac", true},
      {"four bytes", "\xf0\x9f\x98\x80", true},
      {"the largest code point", "\xf4\x8f\xbf\xbf", true},
      {"latin-1", "caf\xe9", false},
      {"cut short", "caf\xc3", false},
      {"a lone continuation byte", "\x80", false},
      {"overlong two bytes", "\xc0\xaf", false},
      {"overlong three bytes", "\xe0\x80\xaf", false},
      {"a surrogate", "\xed\xa0\x80", false},
      {"past U+10FFFF", "\xf4\x90\x80\x80", false},
      {"a bad second continuation", "\xe2\x82\x41", false},
      {"0xff", "\xff", false},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(IsUtf8(tc.text), tc.utf8);
    // ValidUtf8 keeps UTF-8 as it is and makes the rest UTF-8.
    EXPECT_TRUE(IsUtf8(ValidUtf8(tc.text)));
    if (tc.utf8) {
      EXPECT_EQ(ValidUtf8(tc.text), tc.text);
    }
  }
}

TEST(JsonUtilTest, ValidUtf8ReplacesEachBadByte) {
  EXPECT_EQ(ValidUtf8("caf\xe9!"), "caf\xef\xbf\xbd!");
  EXPECT_EQ(ValidUtf8("\xff\xfe"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(ValidUtf8("a\xc3"), "a\xef\xbf\xbd");  // cut short
  EXPECT_EQ(ValidUtf8("\xc3\xa9\x80"), "\xc3\xa9\xef\xbf\xbd");
}

// A cut inside a character moves back to its start: the text stays UTF-8
// (a predictor's answer quoted in a reason, then saved as JSON).
TEST(JsonUtilTest, AbbreviateKeepsCharactersWhole) {
  EXPECT_EQ(Abbreviate("abcdef", 3), "abc...");
  EXPECT_EQ(Abbreviate("ab\xc3\xa9z", 3), "ab...");
  EXPECT_EQ(Abbreviate("a\xe2\x82\xac", 2), "a...");
  EXPECT_EQ(Abbreviate("a\xe2\x82\xac", 3), "a...");
  EXPECT_EQ(Abbreviate("a\xe2\x82\xac", 4), "a\xe2\x82\xac");
  EXPECT_EQ(Abbreviate("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 6),
            "\xf0\x9f\x98\x80...");
  EXPECT_TRUE(IsUtf8(Abbreviate(std::string(199, 'x') + "\xc3\xa9", 200)));
}

TEST(JsonUtilTest, DumpJsonReplacesWhatIsNotUtf8) {
  nlohmann::json j = {{"name", "caf\xe9"}, {"n", 1}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error) << "why it exists";
  EXPECT_EQ(DumpJson(j), "{\"n\":1,\"name\":\"caf\xef\xbf\xbd\"}");
  EXPECT_EQ(DumpJson(nlohmann::json{{"a", 1}}, 1), "{\n \"a\": 1\n}");
}

}  // namespace
}  // namespace phas
