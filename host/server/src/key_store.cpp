#include "billing/server/key_store.hpp"

#include "billing/core/ids.hpp"
#include "billing/http/api_keys.hpp"
#include "billing/storage/keys.hpp"

namespace billing::server {

namespace {

// The key as the API shows it; key_not_found when there is none.
Result<KeyRecord> record_of(const std::optional<keys::KeyRow>& row) {
    if (!row) return Error{key_error::key_not_found, "no such key"};
    const auto parsed = http::parse_role(row->role);
    if (!parsed) return Error{"storage_corrupt", "api key " + row->id + " has an unknown role"};
    return KeyRecord{.id = row->id,
                     .tenant_id = row->tenant_id,
                     .role = *parsed,
                     .prefix = row->prefix,
                     .label = row->label,
                     .created_at_ms = row->created_at_ms,
                     .revoked_at_ms = row->revoked_at_ms};
}

void insert_key(soci::session& sql, const KeyRecord& record, const std::string& digest_hex) {
    keys::insert(sql, keys::KeyRow{.id = record.id,
                                   .tenant_id = record.tenant_id,
                                   .role = std::string(http::role_name(record.role)),
                                   .prefix = record.prefix,
                                   .digest_hex = digest_hex,
                                   .label = record.label,
                                   .created_at_ms = record.created_at_ms,
                                   .revoked_at_ms = std::nullopt});
}

}  // namespace

Result<IssuedKey> KeyStore::issue(const std::string& tenant_id, http::Role role, const std::string& label,
                                  UtcMs now_ms) {
    auto made = http::generate_api_key(role);
    if (!made) return made.error();
    KeyRecord record{new_id("key"), tenant_id, role, made.value().prefix, label, now_ms, std::nullopt};
    auto stored = db_.write([&](soci::session& sql) -> Result<Unit> {
        insert_key(sql, record, made.value().digest_hex);
        return Unit{};
    });
    if (!stored) return stored.error();
    return IssuedKey{std::move(record), std::move(made.value().key)};
}

Result<KeyRecord> KeyStore::adopt_operator_key(const std::string& key, UtcMs now_ms) {
    const auto parts = http::parse_api_key(key);
    if (!parts || parts->role != http::Role::host_operator) {
        return Error{key_error::operator_key_invalid, "not an operator key (bk_opr_...)"};
    }
    return db_.write([&](soci::session& sql) -> Result<KeyRecord> {
        const auto stored = keys::find_by_prefix(sql, parts->prefix);
        if (!stored) {
            KeyRecord record{new_id("key"), "",          http::Role::host_operator, parts->prefix, "operator key file",
                             now_ms,        std::nullopt};
            insert_key(sql, record, http::api_key_digest_hex(key));
            return record;
        }
        if (!http::api_key_matches(key, stored->digest_hex)) {
            return Error{key_error::operator_key_invalid, "its prefix belongs to another key"};
        }
        auto record = record_of(stored);
        if (record && record.value().revoked_at_ms) {
            return Error{key_error::operator_key_invalid, "it was revoked"};
        }
        return record;
    });
}

Result<bool> KeyStore::has_operator_key() {
    return db_.read([&](soci::session& sql) -> Result<bool> {
        return keys::any_live_of_role(sql, std::string(http::role_name(http::Role::host_operator)));
    });
}

void KeyStore::forget(const std::string& key_id) {
    std::lock_guard lock(cache_mutex_);
    cache_.erase_if([&](const std::string&, const Cached& cached) { return cached.key.key_id == key_id; });
}

Result<KeyRecord> KeyStore::revoke(const std::string& key_id, UtcMs now_ms) {
    // Forgotten once the revocation is written (committed or not: a failed write only costs a
    // lookup), so that no lookup after it can still find the key cached as valid.
    auto revoked = db_.write([&](soci::session& sql) -> Result<KeyRecord> {
        keys::revoke(sql, key_id, now_ms);
        return record_of(keys::find_by_id(sql, key_id));
    });
    forget(key_id);
    return revoked;
}

Result<KeyRecord> KeyStore::get(const std::string& key_id) {
    return db_.read([&](soci::session& sql) { return record_of(keys::find_by_id(sql, key_id)); });
}

Result<std::optional<http::StoredApiKey>> KeyStore::lookup(std::string_view prefix) {
    const std::string p(prefix);
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(cache_mutex_);
        if (const Cached* found = cache_.find(p); found != nullptr && found->until > now) {
            return std::optional<http::StoredApiKey>{found->key};
        }
    }
    auto read = db_.read([&](soci::session& sql) -> Result<std::optional<http::StoredApiKey>> {
        auto row = keys::find_by_prefix(sql, p);
        if (!row) return std::optional<http::StoredApiKey>{};
        const auto parsed = http::parse_role(row->role);
        if (!parsed) return std::optional<http::StoredApiKey>{};
        http::StoredApiKey stored;
        stored.key_id = std::move(row->id);
        stored.tenant_id = std::move(row->tenant_id);
        stored.role = *parsed;
        stored.digest_hex = std::move(row->digest_hex);
        stored.revoked = row->revoked_at_ms.has_value();
        return std::optional<http::StoredApiKey>{std::move(stored)};
    });
    if (read && read.value() && !read.value()->revoked) {
        std::lock_guard lock(cache_mutex_);
        cache_.put(p, Cached{*read.value(), now + std::chrono::milliseconds(lookup_cache_ms)});
    }
    return read;
}

}  // namespace billing::server
