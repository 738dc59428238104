#include "aws/profile.h"

#include <sstream>

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

IniFile ParseIni(const std::string& text) {
  IniFile out;
  std::istringstream in(text);
  std::string line, section, parent_key;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      section = Trim(t.substr(1, t.size() - 2));
      out[section];
      parent_key.clear();
      continue;
    }
    if (section.empty()) continue;
    bool indented = line[0] == ' ' || line[0] == '\t';
    // "key = value" or "key: value": botocore reads the files with Python's
    // configparser, which takes either delimiter, the first on the line. A
    // credentials file written with colons that phas skipped would have
    // left the profile without keys, and the chain went on to another
    // identity (an instance role, another account).
    size_t eq = t.find_first_of("=:");
    if (eq == std::string::npos) continue;
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (indented && !parent_key.empty()) {
      out[section][parent_key + "." + key] = value;
      continue;
    }
    out[section][key] = value;
    parent_key = value.empty() ? key : "";
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
    *out = ParseIni(*text);
  }
  return c;
}

Result<Profile> LoadProfile(const Environment& env) {
  PHAS_ASSIGN_OR_RETURN(SharedConfig c, LoadSharedConfig(env));
  return c.Find(c.active);
}

}  // namespace phas::aws
