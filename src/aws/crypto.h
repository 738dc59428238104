// SHA-256 and HMAC-SHA256 over OpenSSL, for SigV4; SHA-1 for the names of
// the AWS CLI's SSO token cache files.
// Thread-safety: stateless functions.
#ifndef PHAS_AWS_CRYPTO_H_
#define PHAS_AWS_CRYPTO_H_

#include <string>
#include <string_view>

namespace phas::aws {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
// Raw 20-byte digest.
std::string Sha1(std::string_view data);
// Lower-case hexadecimal.
std::string HexEncode(std::string_view bytes);

}  // namespace phas::aws

#endif  // PHAS_AWS_CRYPTO_H_
