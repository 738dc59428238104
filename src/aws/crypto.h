// SHA-256 and HMAC-SHA256 over OpenSSL, for SigV4.
// Thread-safety: stateless functions.
#ifndef PHAS_AWS_CRYPTO_H_
#define PHAS_AWS_CRYPTO_H_

#include <string>
#include <string_view>

namespace phas::aws {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hexadecimal.
std::string HexEncode(std::string_view bytes);

}  // namespace phas::aws

#endif  // PHAS_AWS_CRYPTO_H_
