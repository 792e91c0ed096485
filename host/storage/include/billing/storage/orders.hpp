// Orders: inserted at purchase, read scoped by tenant (and locked when a decision follows),
// updated with an optimistic version check so that a lost race re-runs the decision.
#pragma once

#include <soci/soci.h>

#include <map>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"

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

// The set-based forms for a sweeper's batch (one statement per bulk_rows_max orders).
//
// The orders of these ids that exist, by id, read (and locked, lock_suffix as for get) in
// ascending id order, the order in which every batch locks them. The caller checks each
// order's tenant, as get() does.
Result<std::map<std::string, OrderRecord>> get_all(soci::session& sql, const std::vector<std::string>& order_ids,
                                                   const std::string& lock_suffix = "");

struct VersionedUpdate {
    OrderRecord order;                  // every mutable column as it is to be written
    std::int64_t expected_version = 0;  // written with version = expected_version + 1
    // false: the JSON column is left as it is (no need to encode what the decision did not touch)
    bool attributes_changed = true;
    bool terms_changed = true;
};

// update() for each, in one statement per chunk; the same conflict error if any row's version
// moved (the whole transaction is then retried).
Result<Unit> update_all(soci::session& sql, const std::vector<VersionedUpdate>& updates);

}  // namespace billing::orders
