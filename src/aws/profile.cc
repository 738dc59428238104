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
    size_t eq = t.find('=');
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

Result<Profile> LoadProfile(const Environment& env) {
  Profile p;
  p.name = env("AWS_PROFILE").value_or("default");
  std::string home = env("HOME").value_or("");
  p.credentials_path =
      env("AWS_SHARED_CREDENTIALS_FILE")
          .value_or(home.empty() ? "" : home + "/.aws/credentials");
  p.config_path = env("AWS_CONFIG_FILE")
                      .value_or(home.empty() ? "" : home + "/.aws/config");

  auto load = [&](const std::string& path,
                  const std::string& section) -> Status {
    if (path.empty() || !FileExists(path)) return Status::OK();
    auto text = ReadFile(path, 1 << 20);
    if (!text.ok()) return text.status();
    IniFile ini = ParseIni(*text);
    auto it = ini.find(section);
    if (it == ini.end()) return Status::OK();
    p.found = true;
    for (const auto& [k, v] : it->second) p.values[k] = v;  // later file wins
    return Status::OK();
  };
  if (p.name == "default")
    PHAS_RETURN_IF_ERROR(load(p.config_path, "profile default"));
  std::string config_section =
      p.name == "default" ? "default" : "profile " + p.name;
  PHAS_RETURN_IF_ERROR(load(p.config_path, config_section));
  PHAS_RETURN_IF_ERROR(load(p.credentials_path, p.name));
  return p;
}

}  // namespace phas::aws
