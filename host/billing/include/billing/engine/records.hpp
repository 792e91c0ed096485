// The rows the engine reads and writes, as plain values. Money is minor units, time is UTC ms.
#pragma once

#include <cstdint>
#include <functional>
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

// An Idempotency-Key, the hash of the request it came with, and the builder of the answer to
// store. The engine calls respond INSIDE the transaction, after the effect, with the operation's
// result (the new order with its id, an apply's verdict with its code, ...), and stores what it
// returns in that same transaction: the stored answer always describes what was committed.
// respond may run more than once when a conflict makes the engine retry the transaction, so it
// must depend on its argument only; if it throws, nothing is written (storage_failed).
template <class T>
struct IdempotencyKey {
    std::string key;           // 1..255 characters, chosen by the client
    std::string request_hash;  // SHA-256 hex of what makes two requests the same: method, route, body
    std::function<IdempotencyResponse(const T& result)> respond;
    // Another hash a stored record may hold for this same request (the API's hash of the body's
    // bytes, which records written before it hashed the canonical form hold); empty: none.
    std::string legacy_request_hash{};
};

// What an idempotent call did: ran the operation now (result set, response just stored) or
// found the key already used by the same request (replayed: nothing ran, response as stored).
template <class T>
struct IdempotentResult {
    bool replayed = false;
    std::optional<T> result;
    IdempotencyResponse response;
};

// The answer to Engine::apply: the policy's verdict and the order as it is afterwards.
struct ApplyResult {
    bool allowed = false;
    std::string code;  // "ok" or the policy's denial code
    std::string message;
    std::optional<UtcMs> available_at_ms;
    OrderRecord order;
    MinorUnits refunded_minor = 0;  // what an allowed decision returned to the customer
    bool closed = false;            // an allowed decision that moved the order to a final state
};

// A committed decision on an order, told to the engine's listener (Engine::set_change_listener)
// after its transaction committed: never for a denial, a replay or a rolled-back attempt. What
// the metrics count (orders created, cancelled, refunded, the refunded amount).
struct OrderChange {
    std::string event_type;  // events::purchase_type, or the event's type ("cancel", "timer", ...)
    const OrderRecord& order;  // as it is after the decision
    MinorUnits refunded_minor = 0;
    bool closed = false;
};
using OrderChangeListener = std::function<void(const OrderChange&)>;

}  // namespace billing
