// Orders: inserted at purchase, read scoped by tenant (and locked when a decision follows),
// updated with an optimistic version check so that a lost race re-runs the decision.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"

namespace billing::orders {

void insert(soci::session& sql, const OrderRecord& order);

// order_not_found unless the order exists AND belongs to tenant_id. lock_suffix is the
// dialect's row lock (" FOR UPDATE" on servers, "" on SQLite, whose writer lock covers it).
Result<OrderRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& order_id,
                        const std::string& lock_suffix = "");

// Writes every mutable column of order and sets version = expected_version + 1, only where the
// row still has expected_version. Error{storage_error::conflict} when another writer got there
// first: Database::write then retries the whole transaction on the fresh row.
Result<Unit> update(soci::session& sql, const OrderRecord& order, std::int64_t expected_version);

}  // namespace billing::orders
