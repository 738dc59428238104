// JSON helpers shared by the codecs and the config loaders.
// Thread-safety: stateless functions.
#ifndef PHAS_COMMON_JSON_UTIL_H_
#define PHAS_COMMON_JSON_UTIL_H_

#include <string>
#include <string_view>

namespace phas {

// Appends `s` as a quoted JSON string (escaping quotes, backslashes and
// control characters; bytes >= 0x80 are copied as they are).
void AppendJsonString(std::string* out, std::string_view s);

// Deepest nesting of arrays/objects in `text`, ignoring brackets inside
// strings. Stops counting (and returns limit + 1) once `limit` is exceeded,
// so that a hostile body is rejected before a parser recurses into it.
int JsonNestingDepth(std::string_view text, int limit);

// Shortens `s` to at most `max` bytes for echoing in an error message.
std::string Abbreviate(std::string_view s, size_t max = 64);

}  // namespace phas

#endif  // PHAS_COMMON_JSON_UTIL_H_
