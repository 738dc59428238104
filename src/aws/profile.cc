#include "aws/profile.h"

#include <fmt/format.h>

#include <cctype>
#include <set>
#include <sstream>
#include <vector>

#include "common/file_util.h"

namespace phas::aws {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

// As botocore reads the files (Python's configparser, then one level of
// nested settings): what the AWS CLI refuses ("Unable to parse config
// file") is an error naming the line, never its text (it may hold a key).
// Before, such lines were skipped (a key the CLI refuses to read went
// missing), and the keys after "[prod] ; comment" went into the section
// above it: the default profile used the prod account's keys.
Result<IniFile> ParseIni(const std::string& text) {
  IniFile out;
  std::istringstream in(text);
  std::string line, section;
  bool in_section = false;
  // The current key, whose value lines indented deeper continue.
  std::string key;
  size_t key_indent = 0;
  std::set<std::string> sections;
  int n = 0;
  auto error = [&](const char* what) {
    return Status::InvalidArgument(fmt::format("line {}: {}", n, what));
  };
  while (std::getline(in, line)) {
    ++n;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    size_t indent = line.find_first_not_of(" \t");
    if (!key.empty() && indent > key_indent) {
      out[section][key] += "\n" + t;  // a continuation line
      continue;
    }
    key.clear();
    // "[name]", anything after the last ']' ignored, as configparser does.
    if (size_t close = t.rfind(']');
        t[0] == '[' && close != std::string::npos && close >= 2) {
      section = Trim(t.substr(1, close - 1));
      if (!sections.insert(section).second) {
        return error("a [section] that is already in the file");
      }
      out[section];
      in_section = true;
      continue;
    }
    if (!in_section) return error("a setting before any [section]");
    // "key = value" or "key: value", the first delimiter on the line.
    size_t eq = t.find_first_of("=:");
    if (eq == std::string::npos) {
      return error("neither a [section] nor key = value");
    }
    key = Trim(t.substr(0, eq));
    if (key.empty()) return error("a value without a key");
    for (char& c : key) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (out[section].count(key)) {
      return error("a key that is already in its section");
    }
    out[section][key] = Trim(t.substr(eq + 1));
    key_indent = indent;
  }
  // A value that begins on the next line holds nested "child = value"
  // lines (s3 =\n  max_concurrent_requests = 10): kept as "parent.child".
  for (auto& [name, values] : out) {
    std::vector<std::pair<std::string, std::string>> nested;
    for (auto& [k, v] : values) {
      if (v.empty() || v[0] != '\n') continue;
      std::istringstream lines(v.substr(1));
      std::string child;
      while (std::getline(lines, child)) {
        size_t eq = child.find('=');
        if (eq == std::string::npos) {
          return Status::InvalidArgument(
              fmt::format("[{}] {}: a nested line without '='", name, k));
        }
        nested.emplace_back(k + "." + Trim(child.substr(0, eq)),
                            Trim(child.substr(eq + 1)));
      }
      v.clear();
    }
    for (auto& [k, v] : nested) values[k] = v;
  }
  return out;
}

std::string Profile::Get(const std::string& key) const {
  auto it = values.find(key);
  return it == values.end() ? "" : it->second;
}

Profile SharedConfig::Find(const std::string& name) const {
  Profile p;
  p.name = name;
  p.credentials_path = credentials_path;
  p.config_path = config_path;
  auto merge = [&](const IniFile& ini, const std::string& section) {
    auto it = ini.find(section);
    if (it == ini.end()) return;
    p.found = true;
    for (const auto& [k, v] : it->second) p.values[k] = v;  // later wins
  };
  // "[default]" wins over "[profile default]" in the config file, and the
  // credentials file over both.
  if (name == "default") merge(config, "profile default");
  merge(config, name == "default" ? "default" : "profile " + name);
  merge(credentials, name);
  return p;
}

const IniSection* SharedConfig::SsoSession(const std::string& name) const {
  auto it = config.find("sso-session " + name);
  return it == config.end() ? nullptr : &it->second;
}

Result<SharedConfig> LoadSharedConfig(const Environment& env) {
  SharedConfig c;
  c.active = env("AWS_PROFILE").value_or("default");
  std::string home = env("HOME").value_or("");
  c.credentials_path =
      env("AWS_SHARED_CREDENTIALS_FILE")
          .value_or(home.empty() ? "" : home + "/.aws/credentials");
  c.config_path = env("AWS_CONFIG_FILE")
                      .value_or(home.empty() ? "" : home + "/.aws/config");
  for (auto [path, out] : {std::pair{&c.credentials_path, &c.credentials},
                           {&c.config_path, &c.config}}) {
    if (path->empty() || !FileExists(*path)) continue;
    auto text = ReadFile(*path, 1 << 20);
    if (!text.ok()) return text.status();
    auto ini = ParseIni(*text);
    if (!ini.ok()) return ini.status().WithContext(*path);
    *out = std::move(ini).value();
  }
  return c;
}

Result<Profile> LoadProfile(const Environment& env) {
  PHAS_ASSIGN_OR_RETURN(SharedConfig c, LoadSharedConfig(env));
  return c.Find(c.active);
}

}  // namespace phas::aws
