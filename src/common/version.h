// The phas release version.
#ifndef PHAS_COMMON_VERSION_H_
#define PHAS_COMMON_VERSION_H_

namespace phas {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace phas

#endif  // PHAS_COMMON_VERSION_H_
