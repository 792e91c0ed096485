// API keys (DESIGN §6): shown once, stored as the SHA-256 of the whole key, found by a prefix,
// compared in constant time.
//
// Format: "bk_" <role tag> "_" <prefix> "_" <secret>, e.g.
//   bk_svc_k3v9q0m2x8a1_4n7c0d5e9f2g6h1j3k8m0p4q7r2s5t9u
// role tag svc | sup | adm | opr (a hint for people; the stored role decides), prefix 12 and
// secret 32 characters of [0-9a-z] from the kernel's CSPRNG: 62 bits to find the row, 165 bits
// that must be known. A key is never logged: redact_api_key is the only form that may be.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "billing/core/result.hpp"
#include "billing/http/roles.hpp"

namespace billing::http {

inline constexpr std::size_t api_key_prefix_chars = 12;
inline constexpr std::size_t api_key_secret_chars = 32;
inline constexpr std::size_t api_key_chars = 3 + 3 + 1 + api_key_prefix_chars + 1 + api_key_secret_chars;

// What creating a key hands back. `key` is shown to its owner once and then dropped; only
// prefix, digest_hex and role are stored. There is deliberately no operator<< for this type.
struct NewApiKey {
    std::string key;
    std::string prefix;
    std::string digest_hex;  // SHA-256 of key, 64 lowercase hex digits
    Role role = Role::service;
};

// entropy_unavailable when /dev/urandom cannot be read.
Result<NewApiKey> generate_api_key(Role role);

struct ApiKeyParts {
    Role role = Role::service;  // from the tag
    std::string prefix;
};

// The parts of a well-formed key; nullopt for anything else. Never returns the secret.
std::optional<ApiKeyParts> parse_api_key(std::string_view key);

std::string api_key_digest_hex(std::string_view key);

// Whether key hashes to stored_digest_hex, compared in constant time
// (Poco::DigestEngine::constantTimeEquals); false for a stored digest that is not 64 hex digits.
bool api_key_matches(std::string_view key, std::string_view stored_digest_hex);

// The loggable form: "bk_svc_k3v9q0m2x8a1_***" for a well-formed key, "(malformed key)" for
// anything else (which may be a key with a typo, so none of it is shown).
std::string redact_api_key(std::string_view key);

}  // namespace billing::http
