// The rows the engine reads and writes, as plain values. Money is minor units, time is UTC ms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "billing/core/clock.hpp"
#include "billing/sdk/types.hpp"

namespace billing {

using MinorUnits = sdk::MinorUnits;

// Largest amount one request may move. Far below 2^62 so that balances and an order's sums
// cannot overflow a BIGINT however many requests add up before anyone notices.
inline constexpr MinorUnits amount_minor_max = 1'000'000'000'000'000;  // 10^15

namespace account_kind {
inline constexpr const char* customer = "customer";
inline constexpr const char* funding = "funding";
inline constexpr const char* escrow = "escrow";
inline constexpr const char* revenue = "revenue";
}  // namespace account_kind

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
    std::string external_ref;  // empty for system accounts
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

// What the HTTP layer stores with a money-moving request so that a retry replays the answer.
// Inserted in the same transaction as the effect: both commit or neither does.
struct IdempotencyRecord {
    std::string key;
    std::string request_hash;  // SHA-256 hex of the request body
    int status_code = 0;
    std::string response;
};

// The answer to Engine::apply: the policy's verdict and the order as it is afterwards.
struct ApplyResult {
    bool allowed = false;
    std::string code;  // "ok" or the policy's denial code
    std::string message;
    std::optional<UtcMs> available_at_ms;
    OrderRecord order;
};

}  // namespace billing
