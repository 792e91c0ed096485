#include "billing/engine/idempotency.hpp"

#include "sql_util.hpp"

namespace billing::idempotency {

void insert(soci::session& sql, const std::string& tenant_id, const IdempotencyRecord& r, UtcMs now_ms) {
    const long long now = sql_util::to_db(now_ms);
    sql << "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, status_code, response, created_at_ms) "
           "VALUES (:t, :k, :h, :s, :r, :at)",
        soci::use(tenant_id), soci::use(r.key), soci::use(r.request_hash), soci::use(r.status_code),
        soci::use(r.response), soci::use(now);
}

}  // namespace billing::idempotency
