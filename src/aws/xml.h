// Helpers over pugixml for AWS Query-protocol responses. Element names are
// matched without namespace prefixes.
// Thread-safety: stateless functions.
#ifndef PHAS_AWS_XML_H_
#define PHAS_AWS_XML_H_

#include <optional>
#include <pugixml.hpp>
#include <string>
#include <vector>

namespace phas::aws {

// First child element called `name`, or an empty node.
pugi::xml_node Child(pugi::xml_node parent, const char* name);
// Follows a path of child names ("DescribeAutoScalingGroupsResult/NextToken").
pugi::xml_node Path(pugi::xml_node node, const std::string& path);
// Text of Path(node, path), or "".
std::string Text(pugi::xml_node node, const std::string& path);
// All <member> (or <item>) children of the list element at `path`.
std::vector<pugi::xml_node> Members(pugi::xml_node node,
                                    const std::string& path,
                                    const char* item = "member");
// First element called `name` anywhere below `node` (depth first).
pugi::xml_node Find(pugi::xml_node node, const char* name);
// A number's text as a double (std::from_chars: NaN and inf read); nullopt
// when empty, out of range, or followed by anything but whitespace.
std::optional<double> ToDouble(const std::string& s);

}  // namespace phas::aws

#endif  // PHAS_AWS_XML_H_
