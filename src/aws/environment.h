// Environment lookups for the AWS layer, injectable so tests can give each
// case its own variables without touching the process environment.
// Thread-safety: ProcessEnvironment reads getenv (do not setenv concurrently).
#ifndef PHAS_AWS_ENVIRONMENT_H_
#define PHAS_AWS_ENVIRONMENT_H_

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace phas::aws {

// Returns the variable's value, or nullopt when it is unset. An empty value
// counts as unset, as the AWS SDKs treat it.
using Environment =
    std::function<std::optional<std::string>(const std::string&)>;

Environment ProcessEnvironment();
Environment MapEnvironment(std::map<std::string, std::string> vars);

}  // namespace phas::aws

#endif  // PHAS_AWS_ENVIRONMENT_H_
