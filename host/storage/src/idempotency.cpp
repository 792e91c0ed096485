#include "billing/storage/idempotency.hpp"

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/statement_cache.hpp"
#include "sql_util.hpp"

namespace billing::idempotency {

namespace {

constexpr std::size_t key_chars_max = 255;      // idempotency_keys.idem_key
constexpr std::size_t request_hash_chars = 64;  // SHA-256 in hex

bool is_lower_hex(const std::string& text) { return text.find_first_not_of("0123456789abcdef") == std::string::npos; }

}  // namespace

std::optional<Error> refusal(const std::string& key, const std::string& request_hash, bool has_builder) {
    if (key.empty() || key.size() > key_chars_max) {
        return Error{engine_error::invalid_request, "an idempotency key must be 1 to 255 characters"};
    }
    if (request_hash.size() != request_hash_chars || !is_lower_hex(request_hash)) {
        return Error{engine_error::invalid_request, "a request hash must be SHA-256 in lower-case hex"};
    }
    if (!has_builder) {
        return Error{engine_error::invalid_request, "an idempotent call needs a response builder"};
    }
    return std::nullopt;
}

namespace {

// Both statements run on every keyed request: prepared once per session (statement_cache.hpp).
struct SelectRecord : storage::CachedStatement {
    std::string tenant_id, key;
    Stored stored;
    int status = 0;
    SelectRecord(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::into(stored.request_hash), soci::into(status),
                 soci::into(stored.response.body), soci::use(tenant_id), soci::use(key)));
    }
    bool found() { return fetch_one(); }
};

struct InsertRecord : storage::CachedStatement {
    std::string tenant_id, key, request_hash, body;
    int status = 0;
    long long now = 0;
    InsertRecord(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(tenant_id), soci::use(key), soci::use(request_hash), soci::use(status),
                 soci::use(body), soci::use(now)));
    }
    void run() { run_counted(); }
};

const storage::SqlText select_sql =
    "SELECT request_hash, status_code, response FROM idempotency_keys WHERE tenant_id = :t AND idem_key = :k";
const storage::SqlText insert_sql =
    "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, status_code, response, created_at_ms) "
    "VALUES (:t, :k, :h, :s, :r, :at)";

}  // namespace

std::optional<Stored> find(soci::session& sql, const std::string& tenant_id, const std::string& key) {
    storage::Prepared<SelectRecord> st(sql, select_sql);
    st->tenant_id = tenant_id;
    st->key = key;
    if (!st->found()) {
        return std::nullopt;
    }
    Stored stored = st->stored;
    stored.response.status_code = st->status;
    return stored;
}

Result<Unit> insert(soci::session& sql, const std::string& tenant_id, const std::string& key,
                    const std::string& request_hash, const IdempotencyResponse& response, UtcMs now_ms) {
    storage::Prepared<InsertRecord> st(sql, insert_sql);
    st->tenant_id = tenant_id;
    st->key = key;
    st->request_hash = request_hash;
    st->status = response.status_code;
    st->body = response.body;
    st->now = sql_util::to_db(now_ms);
    try {
        st->run();
    } catch (...) {
        Error failure = storage::describe_current_storage_failure();
        if (failure.code == storage::storage_error::constraint) {
            // The failed statement is not reused: the session's cache is dropped with it.
            if (storage::StatementCache* cache = storage::statement_cache_of(sql)) cache->clear();
            return Error{storage::storage_error::conflict, "idempotency key " + key + " was stored concurrently"};
        }
        throw;
    }
    return Unit{};
}

long long purge(soci::session& sql, UtcMs before_ms) {
    const long long before = sql_util::to_db(before_ms);
    soci::statement remove =
        (sql.prepare << "DELETE FROM idempotency_keys WHERE created_at_ms < :b", soci::use(before));
    return sql_util::run_counted(remove);
}

}  // namespace billing::idempotency
