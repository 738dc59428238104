#include "aws/profile.h"

#include <fmt/format.h>

#include <cctype>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "common/file_util.h"
#include "common/text.h"

namespace phas::aws {
namespace {

// What Python's str.strip() takes off in ASCII.
constexpr const char* kSpace = " \t\r\f\v";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

// Lines as Python reads a text file: "\n", "\r\n" or a lone "\r" ends one
// (a file with CR line ends read as one line was a profile without keys).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || c == '\r') {
      out.push_back(line);
      line.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      line += c;
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

// shlex.split (POSIX mode) of a section name, as botocore reads
// "[profile NAME]": words split at spaces, quotes and backslashes as the
// shell's. nullopt where shlex fails (a quote or escape left open).
std::optional<std::vector<std::string>> ShlexSplit(const std::string& s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      in_word = true;
      size_t j = i + 1;
      for (; j < s.size() && s[j] != c; ++j) {
        if (c == '"' && s[j] == '\\' && j + 1 < s.size() &&
            (s[j + 1] == '"' || s[j + 1] == '\\')) {
          ++j;
        }
        word += s[j];
      }
      if (j >= s.size()) return std::nullopt;
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return std::nullopt;
      in_word = true;
      word += s[++i];
    } else if (std::strchr(" \t\r\n", c)) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace

// As botocore reads the files (Python's configparser, strict, then one
// level of nested settings): what the AWS CLI refuses ("Unable to parse
// config file") is an error naming the line, never its text (it may hold a
// key). Before, such lines were skipped (a key the CLI refuses to read went
// missing), and the keys after "[prod] ; comment" went into the section
// above it: the default profile used the prod account's keys.
Result<IniFile> ParseIni(const std::string& text,
                         std::vector<std::string>* order) {
  IniFile out;
  IniSection defaults;  // [DEFAULT]: every section's, under its own keys
  IniSection* section = nullptr;
  std::string section_name;
  std::set<std::string> sections;
  std::set<std::pair<std::string, std::string>> keys;
  // The current key, whose value lines indented deeper than the last line
  // that was not one continue (blank lines inside it kept, as configparser).
  std::string key;
  size_t indent_level = 0;
  int blanks = 0;
  int n = 0;
  auto error = [&](const char* what) {
    return Status::InvalidArgument(fmt::format("line {}: {}", n, what));
  };
  for (const std::string& line : Lines(text)) {
    ++n;
    std::string t = Trim(line);
    bool comment = !t.empty() && (t[0] == '#' || t[0] == ';');
    if (t.empty() || comment) {
      if (!comment && section && !key.empty()) ++blanks;
      continue;
    }
    size_t indent = line.find_first_not_of(kSpace);
    if (section && !key.empty() && indent > indent_level) {
      (*section)[key] += std::string(blanks + 1, '\n') + t;
      blanks = 0;
      continue;
    }
    blanks = 0;
    indent_level = indent;
    key.clear();
    // "[name]", up to the last ']', anything after it left out, the name as
    // it is (configparser trims nothing: "[ prod ]" is not "prod").
    if (size_t close = t.rfind(']');
        t[0] == '[' && close != std::string::npos && close >= 2) {
      section_name = t.substr(1, close - 1);
      if (section_name == "DEFAULT") {
        section = &defaults;  // may come again
        continue;
      }
      if (!sections.insert(section_name).second) {
        return error("a [section] that is already in the file");
      }
      section = &out[section_name];
      if (order) order->push_back(section_name);
      continue;
    }
    if (!section) return error("a setting before any [section]");
    // "key = value" or "key: value", the first delimiter on the line.
    size_t eq = t.find_first_of("=:");
    if (eq == std::string::npos) {
      return error("neither a [section] nor key = value");
    }
    key = Trim(t.substr(0, eq));
    if (key.empty()) return error("a value without a key");
    key = AsciiLower(key);
    if (!keys.insert({section_name, key}).second) {
      return error("a key that is already in its section");
    }
    (*section)[key] = Trim(t.substr(eq + 1));
  }
  for (auto& [name, values] : out) {
    for (const auto& [k, v] : defaults) values.emplace(k, v);
    // A value that begins on the next line holds nested "child = value"
    // lines (s3 =\n  max_concurrent_requests = 10): kept as "parent.child".
    std::vector<std::pair<std::string, std::string>> nested;
    for (auto& [k, v] : values) {
      if (v.empty() || v[0] != '\n') continue;
      std::istringstream lines(v.substr(1));
      std::string child;
      while (std::getline(lines, child)) {
        if (Trim(child).empty()) continue;
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
  // The config file's sections are keyed as botocore maps them (see
  // LoadSharedConfig); the credentials file's by their exact name, and it
  // wins on a key both set.
  merge(config, "profile " + name);
  merge(credentials, name);
  return p;
}

const IniSection* SharedConfig::SsoSession(const std::string& name) const {
  auto it = config.find("sso-session " + name);
  return it == config.end() ? nullptr : &it->second;
}

namespace {

// A shared file parsed; empty when there is none (no path, or not there).
Result<IniFile> ReadIni(const std::string& path,
                        std::vector<std::string>* order) {
  if (path.empty() || !FileExists(path)) return IniFile{};
  // 64 MiB: an SSO config generated for a large organisation (thousands
  // of account and role profiles) passes 1 MiB; the CLI reads it.
  PHAS_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64u << 20));
  auto ini = ParseIni(text, order);
  if (!ini.ok()) return ini.status().WithContext(path);
  return ini;
}

}  // namespace

Result<SharedConfig> LoadSharedConfig(const Environment& env) {
  SharedConfig c;
  c.active = env("AWS_PROFILE").value_or("default");
  std::string home = env("HOME").value_or("");
  c.credentials_path =
      env("AWS_SHARED_CREDENTIALS_FILE")
          .value_or(home.empty() ? "" : home + "/.aws/credentials");
  c.config_path = env("AWS_CONFIG_FILE")
                      .value_or(home.empty() ? "" : home + "/.aws/config");
  PHAS_ASSIGN_OR_RETURN(c.credentials, ReadIni(c.credentials_path, nullptr));
  std::vector<std::string> order;
  PHAS_ASSIGN_OR_RETURN(IniFile config, ReadIni(c.config_path, &order));
  // As botocore's build_profile_map, in the file's order (a later one
  // replaces an earlier one whole): "[profile NAME]" (any header
  // beginning "profile" that shlex splits in two: "[profile  x]",
  // "[profile \"x\"]") and "[default]" are the profile NAME and
  // "default"; "[sso-session NAME]" likewise; the rest as they are.
  for (const std::string& name : order) {
    const IniSection& values = config.at(name);
    std::string key = name;
    for (const char* prefix : {"profile", "sso-session"}) {
      if (name.rfind(prefix, 0) != 0) continue;
      auto words = ShlexSplit(name);
      key = words && words->size() == 2
                ? std::string(prefix) + " " + (*words)[1]
                : "";  // not a profile: botocore leaves it out
      break;
    }
    if (name == "default") key = "profile default";
    if (!key.empty()) c.config[key] = values;
  }
  return c;
}

Result<Profile> LoadProfile(const Environment& env) {
  PHAS_ASSIGN_OR_RETURN(SharedConfig c, LoadSharedConfig(env));
  return c.Find(c.active);
}

}  // namespace phas::aws
