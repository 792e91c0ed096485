#include "billing/server/key_store.hpp"

#include "billing/core/ids.hpp"
#include "billing/http/api_keys.hpp"

namespace billing::server {

namespace {

Result<KeyRecord> read_key(soci::session& sql, const std::string& where_column, const std::string& value) {
    KeyRecord record;
    std::string role;
    long long created = 0;
    long long revoked = 0;
    soci::indicator revoked_ind = soci::i_null;
    sql << "SELECT id, tenant_id, role, prefix, label, created_at_ms, revoked_at_ms FROM api_keys WHERE "
               << where_column << " = :v",
        soci::into(record.id), soci::into(record.tenant_id), soci::into(role), soci::into(record.prefix),
        soci::into(record.label), soci::into(created), soci::into(revoked, revoked_ind), soci::use(value);
    if (!sql.got_data()) return Error{key_error::key_not_found, "no such key"};
    const auto parsed = http::parse_role(role);
    if (!parsed) return Error{"storage_corrupt", "api key " + record.id + " has an unknown role"};
    record.role = *parsed;
    record.created_at_ms = created;
    if (revoked_ind == soci::i_ok) record.revoked_at_ms = revoked;
    return record;
}

void insert_key(soci::session& sql, const KeyRecord& record, const std::string& digest_hex) {
    const std::string role(http::role_name(record.role));
    const long long created = record.created_at_ms;
    sql << "INSERT INTO api_keys (id, tenant_id, role, prefix, digest, label, created_at_ms, revoked_at_ms) "
           "VALUES (:id, :t, :r, :p, :d, :l, :c, NULL)",
        soci::use(record.id), soci::use(record.tenant_id), soci::use(role), soci::use(record.prefix),
        soci::use(digest_hex), soci::use(record.label), soci::use(created);
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
        std::string digest;
        sql << "SELECT digest FROM api_keys WHERE prefix = :p", soci::into(digest), soci::use(parts->prefix);
        if (!sql.got_data()) {
            KeyRecord record{new_id("key"), "", http::Role::host_operator, parts->prefix, "operator key file", now_ms,
                             std::nullopt};
            insert_key(sql, record, http::api_key_digest_hex(key));
            return record;
        }
        if (!http::api_key_matches(key, digest)) {
            return Error{key_error::operator_key_invalid, "its prefix belongs to another key"};
        }
        auto record = read_key(sql, "prefix", parts->prefix);
        if (record && record.value().revoked_at_ms) {
            return Error{key_error::operator_key_invalid, "it was revoked"};
        }
        return record;
    });
}

Result<bool> KeyStore::has_operator_key() {
    return db_.read([&](soci::session& sql) -> Result<bool> {
        long long n = 0;
        sql << "SELECT COUNT(*) FROM api_keys WHERE role = 'operator' AND revoked_at_ms IS NULL", soci::into(n);
        return n > 0;
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
        const long long now = now_ms;
        sql << "UPDATE api_keys SET revoked_at_ms = :now WHERE id = :id AND revoked_at_ms IS NULL", soci::use(now),
            soci::use(key_id);
        return read_key(sql, "id", key_id);
    });
    forget(key_id);
    return revoked;
}

Result<KeyRecord> KeyStore::get(const std::string& key_id) {
    return db_.read([&](soci::session& sql) { return read_key(sql, "id", key_id); });
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
        http::StoredApiKey stored;
        std::string role;
        long long revoked = 0;
        soci::indicator revoked_ind = soci::i_null;
        sql << "SELECT id, tenant_id, role, digest, revoked_at_ms FROM api_keys WHERE prefix = :p",
            soci::into(stored.key_id), soci::into(stored.tenant_id), soci::into(role), soci::into(stored.digest_hex),
            soci::into(revoked, revoked_ind), soci::use(p);
        if (!sql.got_data()) return std::optional<http::StoredApiKey>{};
        const auto parsed = http::parse_role(role);
        if (!parsed) return std::optional<http::StoredApiKey>{};
        stored.role = *parsed;
        stored.revoked = revoked_ind == soci::i_ok;
        return std::optional<http::StoredApiKey>{std::move(stored)};
    });
    if (read && read.value() && !read.value()->revoked) {
        std::lock_guard lock(cache_mutex_);
        cache_.put(p, Cached{*read.value(), now + std::chrono::milliseconds(lookup_cache_ms)});
    }
    return read;
}

}  // namespace billing::server
