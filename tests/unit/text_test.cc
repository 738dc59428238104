// Text helpers (common/text.h).
#include "common/text.h"

#include <gtest/gtest.h>

namespace phas {
namespace {

// What reaches a terminal from text phas did not write: nothing a terminal
// acts on, and nothing that looks like what Printable writes for it.
TEST(TextTest, PrintableLeavesNothingForATerminalToAct) {
  struct Case {
    const char* name;
    std::string in, want;
  };
  const Case cases[] = {
      {"plain", "web-1: all fine", "web-1: all fine"},
      {"an escape sequence and a line break", "\x1b[2Jgone\r\n",
       "\\x1b[2Jgone\\x0d\\x0a"},
      {"a NUL and DEL", std::string("a\0b\x7f", 4), "a\\x00b\\x7f"},
      {"UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"a C1 control in UTF-8 (CSI)",
       "\xc2\x9b"
       "2J",
       "\\u009b2J"},
      {"NBSP is not a control",
       "a\xc2\xa0"
       "b",
       "a\xc2\xa0"
       "b"},
      {"a lone C1 byte (CSI to an 8-bit terminal)",
       "\x9b"
       "2J",
       "\\x9b2J"},
      {"bytes that are not UTF-8", "\xff\xc3(\xe2\x82",
       "\\xff\\xc3(\\xe2\\x82"},
      {"an overlong slash", "\xc0\xaf", "\\xc0\\xaf"},
      {"a literal escape is not an escaped ESC", "\\x1b", "\\\\x1b"},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(Printable(tc.in), tc.want);
  }
  EXPECT_NE(Printable("\x1b"), Printable("\\x1b"));
}

}  // namespace
}  // namespace phas
