// Where phas finds the files it ships (the default model, bundled traces).
// Thread-safety: stateless functions.
#ifndef PHAS_COMMON_PATHS_H_
#define PHAS_COMMON_PATHS_H_

#include <string>
#include <vector>

#include "common/status.h"

namespace phas {

// Directory of the running executable ("" when unknown).
std::string ExecutableDir();

// Locates a shipped data path such as "models/default": tries, in order,
// $PHAS_DATA_DIR/<rel>, <exe>/../data/<rel> (a build tree), and
// <exe>/../share/phas/<rel> (an install). NotFound lists where it looked.
Result<std::string> FindDataPath(const std::string& rel);

}  // namespace phas

#endif  // PHAS_COMMON_PATHS_H_
