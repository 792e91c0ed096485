// What the engine's calls take and give back beyond the stored rows (billing/storage/records.hpp):
// idempotency keys and results, an apply's verdict, a committed change.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "billing/storage/records.hpp"

namespace billing {

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
    std::string event_type;    // events::purchase_type, or the event's type ("cancel", "timer", ...)
    const OrderRecord& order;  // as it is after the decision
    MinorUnits refunded_minor = 0;
    bool closed = false;
};
using OrderChangeListener = std::function<void(const OrderChange&)>;

}  // namespace billing
