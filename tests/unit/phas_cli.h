// Runs the phas binary in a test: its exit code and what it printed on
// stderr (stdout is dropped).
#ifndef PHAS_TESTS_UNIT_PHAS_CLI_H_
#define PHAS_TESTS_UNIT_PHAS_CLI_H_

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "test_util.h"

namespace phas::testing {

struct PhasRun {
  int exit_code = -1;
  std::string out, err;
};

class PhasCliTest : public TempDirTest {
 protected:
  using Run = PhasRun;
  // `args` as a shell would split them.
  Run Phas(const std::string& args) {
    const std::string out_file = (dir_ / "stdout.txt").string();
    const std::string err_file = (dir_ / "stderr.txt").string();
    const std::string cmd =
        PhasBinary() + " " + args + " >'" + out_file + "' 2>'" + err_file + "'";
    const int rc = std::system(cmd.c_str());
    Run r;
    if (WIFEXITED(rc)) r.exit_code = WEXITSTATUS(rc);
    r.out = ReadAll(out_file);
    r.err = ReadAll(err_file);
    return r;
  }
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_PHAS_CLI_H_
