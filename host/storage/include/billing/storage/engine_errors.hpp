// Stable codes of Error::code that the engine returns. The HTTP layer maps them to statuses;
// storage_error::* (billing/storage/errors.hpp) may come back as well.
#pragma once

namespace billing::engine_error {
inline constexpr const char* tenant_not_found = "tenant_not_found";
inline constexpr const char* account_not_found = "account_not_found";
inline constexpr const char* order_not_found = "order_not_found";
inline constexpr const char* invalid_request = "invalid_request";        // a field out of range
inline constexpr const char* insufficient_funds = "insufficient_funds";  // the customer balance is too low
inline constexpr const char* duplicate_external_ref = "duplicate_external_ref";
inline constexpr const char* policy_unavailable = "policy_unavailable";          // no policy bound to the tenant
inline constexpr const char* policy_mismatch = "policy_mismatch";                // the order was sold by another policy
inline constexpr const char* policy_failed = "policy_failed";                    // the policy threw
inline constexpr const char* policy_violation = "policy_violation";              // a decision failed a host check
inline constexpr const char* idempotency_key_reused = "idempotency_key_reused";  // same key, another request
inline constexpr const char* test_clock_unavailable = "test_clock_unavailable";  // a live tenant's clock
inline constexpr const char* test_clock_out_of_range = "test_clock_out_of_range";  // past sdk::now_ms_max
inline constexpr const char* balance_limit_exceeded = "balance_limit_exceeded";    // a deposit past 2^62
inline constexpr const char* dispute_not_found = "dispute_not_found";
inline constexpr const char* dispute_already_open = "dispute_already_open";  // one open dispute per order
inline constexpr const char* dispute_not_open = "dispute_not_open";          // resolved already
inline constexpr const char* ledger_violation = "ledger_violation";          // a system account would go negative
}  // namespace billing::engine_error
