#include "aws/xml.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace phas::aws {
namespace {

bool NameIs(pugi::xml_node n, const char* name) {
  const char* full = n.name();
  const char* colon = std::strchr(full, ':');
  return std::strcmp(colon ? colon + 1 : full, name) == 0;
}

}  // namespace

pugi::xml_node Child(pugi::xml_node parent, const char* name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && NameIs(c, name)) return c;
  }
  return pugi::xml_node();
}

pugi::xml_node Path(pugi::xml_node node, const std::string& path) {
  if (path.empty()) return node;
  size_t pos = 0;
  while (node && pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    node = Child(node, path.substr(pos, slash - pos).c_str());
    pos = slash + 1;
  }
  return node;
}

std::string Text(pugi::xml_node node, const std::string& path) {
  return Path(node, path).child_value();
}

std::vector<pugi::xml_node> Members(pugi::xml_node node,
                                    const std::string& path, const char* item) {
  std::vector<pugi::xml_node> out;
  pugi::xml_node list = Path(node, path);
  for (pugi::xml_node c = list.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && NameIs(c, item)) out.push_back(c);
  }
  return out;
}

pugi::xml_node Find(pugi::xml_node node, const char* name) {
  // pugixml's traversal is iterative: deep documents cannot exhaust the stack.
  return node.find_node([name](pugi::xml_node n) {
    return n.type() == pugi::node_element && NameIs(n, name);
  });
}

std::optional<double> ToDouble(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const char* end = s.data() + s.size();
  auto r = std::from_chars(s.data(), end, v);
  if (r.ec != std::errc()) return std::nullopt;
  // The whole text (trailing whitespace aside): "40abc" is not 40.
  while (r.ptr != end && std::isspace(static_cast<unsigned char>(*r.ptr))) {
    ++r.ptr;
  }
  if (r.ptr != end) return std::nullopt;
  return v;
}

}  // namespace phas::aws
