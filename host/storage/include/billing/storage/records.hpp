// The rows the repositories read and write, as plain values. Money is minor units, time is UTC ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "billing/core/clock.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/sdk/types.hpp"
#include "billing/storage/ledger_vocabulary.hpp"

namespace billing {

using MinorUnits = sdk::MinorUnits;

// The limits on amounts are the policy rules' (billing/rules/decision_check.hpp), so that the
// conformance kit and the host hold plugins to the same numbers.
using decision_check::amount_minor_max;
using decision_check::order_charged_minor_max;

// One vocabulary of account kinds for the engine and the audit (billing/storage/ledger_vocabulary.hpp).
namespace account_kind = storage::ledger_vocabulary::account_kind;

struct NewTenant {
    std::string name;
    std::string currency;  // ISO 4217, three upper-case letters
    std::string policy_name;
    std::string policy_config;
    bool test_mode = false;
};

struct TenantRecord {
    std::string id;
    std::string name;
    std::string currency;
    std::string policy_name;
    std::string policy_config;
    bool test_mode = false;
    UtcMs clock_ms = 0;
    UtcMs created_at_ms = 0;
};

struct AccountRecord {
    std::string id;
    std::string tenant_id;
    std::string kind;          // account_kind::*
    std::string external_ref;  // a system account's is reserved: "@" + its kind (see ledger.hpp)
    MinorUnits balance_minor = 0;
    UtcMs created_at_ms = 0;
};

struct OrderRecord {
    std::string id;
    std::string tenant_id;
    std::string account_id;
    std::string product;
    std::string state;
    sdk::Attributes attributes;
    sdk::Numbers terms;
    MinorUnits price_minor = 0;
    MinorUnits charged_minor = 0;
    MinorUnits captured_minor = 0;
    MinorUnits refunded_from_escrow_minor = 0;
    MinorUnits refunded_from_revenue_minor = 0;
    std::string outcome;
    std::string policy;  // "name@version" of the policy that last decided
    bool is_final = false;
    std::int64_t version = 0;
    UtcMs created_at_ms = 0;
    UtcMs updated_at_ms = 0;
    std::optional<UtcMs> closed_at_ms;
};

// The answer the HTTP layer gives a money-moving request, stored under its Idempotency-Key so
// that a retry of the same request gets the very same answer.
struct IdempotencyResponse {
    int status_code = 0;  // 100..599
    std::string body;
};

}  // namespace billing
