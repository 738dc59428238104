// credential_process: credentials printed by a command the profile names,
// as the AWS CLI runs it.
//
// The command line is split into words the way a POSIX shell splits them
// (quotes and backslashes, as Python's shlex.split, which the AWS CLI uses)
// and run directly, WITHOUT a shell: no $VARIABLE, ~, glob, pipe or
// redirection is interpreted. A command that needs them says so itself:
// credential_process = sh -c 'exec my-helper --profile "$TEAM"'.
// argv[0] is looked up in PATH. stdin is /dev/null; stderr is phas's own
// (the helper's diagnostics reach the operator); stdout must be, within
// kMaxOutputBytes and the time limit, the JSON document of Version 1:
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2026-01-01T00:00:00Z"}
// (SessionToken and Expiration optional; without Expiration the
// credentials are used for as long as phas runs). A command still running
// at the time limit is killed with its process group.
//
// Errors name the profile and the key, never the output: it holds secrets.
//
// Thread-safety: safe to share; each Get runs the command once.
#ifndef PHAS_AWS_PROCESS_CREDENTIALS_H_
#define PHAS_AWS_PROCESS_CREDENTIALS_H_

#include <chrono>
#include <string>
#include <vector>

#include "aws/credentials.h"

namespace phas::aws {

// Largest stdout accepted from a credential process.
inline constexpr size_t kMaxOutputBytes = 64 * 1024;

// Splits `line` into words: blanks separate words; '...' keeps everything
// literally; "..." keeps everything but a backslash before " or \;
// outside quotes a backslash keeps the next character. InvalidArgument on
// an unclosed quote or an empty command.
Result<std::vector<std::string>> SplitCommandLine(const std::string& line);

// Runs `argv` and returns its stdout. `what` prefixes errors ("profile 'x':
// credential_process"). Errors: the command cannot be started, is killed
// at `timeout`, prints more than `max_output` bytes, or exits with a status
// other than 0 (or on a signal).
Result<std::string> RunCommandForOutput(const std::vector<std::string>& argv,
                                        std::chrono::milliseconds timeout,
                                        size_t max_output,
                                        const std::string& what);

// Parses a Version 1 document; `where` prefixes errors and becomes
// Credentials::source.
Result<Credentials> ParseProcessCredentials(const std::string& output,
                                            const std::string& where);

class ProcessCredentialsProvider final : public CredentialsProvider {
 public:
  // `profile` names the profile in messages; `command` is the value of its
  // credential_process.
  ProcessCredentialsProvider(std::string profile, std::string command,
                             std::chrono::milliseconds timeout)
      : profile_(std::move(profile)),
        command_(std::move(command)),
        timeout_(timeout) {}
  Result<Credentials> Get(TimePoint now) override;
  std::string name() const override { return "credential-process"; }

 private:
  std::string profile_;
  std::string command_;
  std::chrono::milliseconds timeout_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_PROCESS_CREDENTIALS_H_
