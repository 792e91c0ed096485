// Idempotency records, inserted in the transaction of the effect they describe. A second
// insert of the same (tenant, key) fails the whole transaction with storage_constraint: the
// effect can never be applied twice under one key.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/engine/records.hpp"

namespace billing::idempotency {

void insert(soci::session& sql, const std::string& tenant_id, const IdempotencyRecord& record, UtcMs now_ms);

}  // namespace billing::idempotency
