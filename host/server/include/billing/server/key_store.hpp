// API keys in the database (DESIGN §6): issued with their secret shown once, stored as a
// SHA-256 digest under a unique prefix, revoked by id. Tenant keys carry their tenant; the
// host's operator keys have tenant_id "".
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/core/lru_cache.hpp"
#include "billing/core/result.hpp"
#include "billing/http/auth.hpp"
#include "billing/http/roles.hpp"
#include "billing/storage/database.hpp"

namespace billing::server {

// Error codes of the key store (mapped to problems by the API).
namespace key_error {
inline constexpr const char* key_not_found = "key_not_found";
inline constexpr const char* operator_key_invalid = "operator_key_invalid";  // the key file's contents
}  // namespace key_error

struct KeyRecord {
    std::string id;
    std::string tenant_id;  // "" for an operator key
    http::Role role = http::Role::service;
    std::string prefix;
    std::string label;
    UtcMs created_at_ms = 0;
    std::optional<UtcMs> revoked_at_ms;
};

// A key just made: record plus the secret key, which exists nowhere else.
struct IssuedKey {
    KeyRecord record;
    std::string key;
};

class KeyStore {
public:
    explicit KeyStore(storage::Database& db) : db_(db) {}

    // A new key for tenant_id ("" with Role::host_operator only).
    Result<IssuedKey> issue(const std::string& tenant_id, http::Role role, const std::string& label, UtcMs now_ms);

    // Makes key (read from the operator key file) a valid operator key: stored if its prefix is
    // new, accepted if stored with the same digest, refused (operator_key_invalid) if it is not
    // a well-formed operator key, its prefix belongs to another digest, or it was revoked.
    Result<KeyRecord> adopt_operator_key(const std::string& key, UtcMs now_ms);

    // Whether any operator key is active.
    Result<bool> has_operator_key();

    // Revokes a key by id (idempotent: a revoked key stays revoked, with its first time).
    Result<KeyRecord> revoke(const std::string& key_id, UtcMs now_ms);
    Result<KeyRecord> get(const std::string& key_id);

    // The stored form under a prefix for authentication; nullopt when no key has it. A storage
    // failure is an Error, so that a database outage is a 503, never a 401.
    //
    // Found keys are remembered for lookup_cache_ms, so that a request does not cost a database
    // read before its work: a key revoked on THIS host stops at once (revoke() forgets it), one
    // revoked by another host sharing the database within lookup_cache_ms. Unknown prefixes are
    // not remembered (a key issued on another host works at once).
    Result<std::optional<http::StoredApiKey>> lookup(std::string_view prefix);

    static constexpr std::int64_t lookup_cache_ms = 2000;

private:
    struct Cached {
        http::StoredApiKey key;
        std::chrono::steady_clock::time_point until;
    };
    void forget(const std::string& key_id);

    storage::Database& db_;
    static constexpr std::size_t cached_max = 10'000;
    std::mutex cache_mutex_;
    LruCache<std::string, Cached> cache_{cached_max};  // by prefix
};

}  // namespace billing::server
