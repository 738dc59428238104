// The AWS shared configuration files: ~/.aws/credentials and ~/.aws/config
// (or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE), and the active profile
// (AWS_PROFILE, default "default").
//
// In the config file a profile's section is "[profile NAME]" ("[default]" for
// the default profile); in the credentials file it is "[NAME]". For a key
// present in both, the credentials file wins, as in the AWS SDKs.
//
// Thread-safety: immutable values.
#ifndef PHAS_AWS_PROFILE_H_
#define PHAS_AWS_PROFILE_H_

#include <map>
#include <string>

#include "aws/environment.h"
#include "common/status.h"

namespace phas::aws {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// Parses INI text: [section], key = value, comments (# ;), and indented
// continuation lines (nested settings), which are kept as "parent.child".
IniFile ParseIni(const std::string& text);

struct Profile {
  std::string name;
  IniSection values;             // merged: credentials file over config file
  std::string credentials_path;  // where the files were looked for
  std::string config_path;
  bool found = false;  // some file had a section for the profile

  // The value of `key`, or "" when absent.
  std::string Get(const std::string& key) const;
};

// Loads the active profile. Missing files are fine (found = false); a file
// that exists but cannot be read is an error naming it.
Result<Profile> LoadProfile(const Environment& env);

}  // namespace phas::aws

#endif  // PHAS_AWS_PROFILE_H_
