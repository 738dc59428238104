// Helpers shared by phas's tests: paths of the source tree and test data.
#ifndef PHAS_TESTS_UNIT_TEST_UTIL_H_
#define PHAS_TESTS_UNIT_TEST_UTIL_H_

#include <string>

namespace phas::testing {

inline std::string SourcePath(const std::string& rel) {
  return std::string(PHAS_SOURCE_DIR) + "/" + rel;
}
inline std::string TestData(const std::string& rel) {
  return SourcePath("testdata/" + rel);
}
inline std::string PhasBinary() { return PHAS_BINARY; }

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_TEST_UTIL_H_
