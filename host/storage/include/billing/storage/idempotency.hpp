// Idempotency records (DESIGN §7): the answer to a money-moving request, stored under its
// Idempotency-Key in the transaction of the effect it describes, so that both commit or neither
// does and a retry replays the answer instead of running the effect again.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"

namespace billing::idempotency {

struct Stored {
    std::string request_hash;
    IdempotencyResponse response;
};

// invalid_request when the key, the hash or the builder cannot be stored or used.
std::optional<Error> refusal(const std::string& key, const std::string& request_hash, bool has_builder);

// The record under (tenant, key), if any.
std::optional<Stored> find(soci::session& sql, const std::string& tenant_id, const std::string& key);

// Inserts the record. A concurrent request that stored the same key first (PostgreSQL and MySQL
// let both look up nothing) comes back as storage_conflict, so that Database::write retries the
// whole transaction, which then finds that record and replays it.
Result<Unit> insert(soci::session& sql, const std::string& tenant_id, const std::string& key,
                    const std::string& request_hash, const IdempotencyResponse& response, UtcMs now_ms);

// Deletes the records stored before before_ms (the retention, DESIGN §7: 24 h by default);
// returns how many. A key whose record is gone is a new key again.
long long purge(soci::session& sql, UtcMs before_ms);

}  // namespace billing::idempotency
