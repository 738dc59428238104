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
#include <vector>

#include "aws/environment.h"
#include "common/status.h"

namespace phas::aws {

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// Parses INI text as botocore does (Python's configparser, strict):
// [section] (its name as written, up to the last ']'), key = value or
// key: value (keys lower-cased), comments (# ;), "\n", "\r\n" or "\r" line
// ends, lines indented deeper continuing a value (blank lines inside it
// kept), [DEFAULT]'s keys given to every section under its own, and a value
// that begins on the next line read as nested settings, kept as
// "parent.child". What botocore refuses is InvalidArgument naming the line,
// never its text: a line that is neither a section nor a setting, a setting
// before any section, a section or a key given twice, a nested line without
// '='. `order`, if given, receives the sections' names in the file's order.
Result<IniFile> ParseIni(const std::string& text,
                         std::vector<std::string>* order = nullptr);

struct Profile {
  std::string name;
  IniSection values;             // merged: credentials file over config file
  std::string credentials_path;  // where the files were looked for
  std::string config_path;
  bool found = false;  // some file had a section for the profile

  // The value of `key`, or "" when absent.
  std::string Get(const std::string& key) const;
};

// Both shared files, parsed, for looking up any profile (a role profile's
// source_profile) and [sso-session NAME] sections of the config file.
struct SharedConfig {
  std::string credentials_path;  // where the files were looked for
  std::string config_path;
  IniFile credentials;  // empty when the file does not exist
  IniFile config;       // keyed "profile NAME" ([default] too), "sso-session
                        // NAME", other sections as written: botocore's map
  std::string active;   // AWS_PROFILE, default "default"

  // The profile `name`: its config section ("[profile NAME]", "[default]")
  // with the credentials file's "[NAME]" over it.
  Profile Find(const std::string& name) const;
  // The config file's [sso-session NAME] section, or null.
  const IniSection* SsoSession(const std::string& name) const;
};

// Reads both files. Missing files are fine (empty); a file that exists but
// cannot be read is an error naming it.
Result<SharedConfig> LoadSharedConfig(const Environment& env);

// The active profile: LoadSharedConfig(env)->Find(active).
Result<Profile> LoadProfile(const Environment& env);

}  // namespace phas::aws

#endif  // PHAS_AWS_PROFILE_H_
