// The one way every idempotent engine call runs, inside its transaction: replay what the key
// already holds, or run the effect, build the answer from its result and store it with it.
// idem.respond is a pure rendering of the result (everything an answer shows, the cancel preview
// included, is in it): it calls neither the engine nor the policy and reads nothing, so the
// locks the effect took are held through no more than turning a struct into bytes. Those bytes
// are the stored answer and the response alike, so a replay returns exactly what the first
// request did.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>
#include <utility>

#include "billing/engine/records.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/idempotency.hpp"

namespace billing::idempotent_call {

// effect() -> Result<T> does the work. An Error from it (insufficient_funds, order_not_found,
// a policy_violation, ...) rolls everything back and stores nothing: the request did not take
// effect, so a retry may run it again. A value, a denial included, is answered and stored.
// The answer to a request whose key already holds a record: its replay, or idempotency_key_reused
// when the record is of another request.
template <class T>
Result<IdempotentResult<T>> answer_stored(idempotency::Stored&& stored, const IdempotencyKey<T>& idem) {
    const bool same_request = stored.request_hash == idem.request_hash ||
                              (!idem.legacy_request_hash.empty() && stored.request_hash == idem.legacy_request_hash);
    if (!same_request) {
        return Error{engine_error::idempotency_key_reused,
                     "idempotency key " + idem.key + " was used with another request"};
    }
    return IdempotentResult<T>{true, std::nullopt, std::move(stored.response)};
}

// The look-up that needs no lock, before the writer: a key that already holds a record (a
// client's retry of an answered request) is answered from it without waiting for, or taking a
// place in, a write batch. Nothing: the key is new (or the read failed), and run() inside the
// writer looks again, since another request may store it in between.
template <class T>
std::optional<Result<IdempotentResult<T>>> replay_before_writing(storage::Database& db, const std::string& tenant_id,
                                                                 const IdempotencyKey<T>& idem) {
    auto stored = db.read([&](soci::session& sql) -> Result<std::optional<idempotency::Stored>> {
        return idempotency::find(sql, tenant_id, idem.key);
    });
    if (!stored || !stored.value()) return std::nullopt;
    return answer_stored(std::move(*stored.value()), idem);
}

template <class T, class Effect>
Result<IdempotentResult<T>> run(soci::session& sql, const std::string& tenant_id, const IdempotencyKey<T>& idem,
                                UtcMs now_ms, Effect&& effect) {
    if (auto stored = idempotency::find(sql, tenant_id, idem.key)) return answer_stored(std::move(*stored), idem);
    Result<T> result = effect();
    if (!result) return result.error();
    IdempotencyResponse response = idem.respond(result.value());
    if (response.status_code < 100 || response.status_code > 599) {
        return Error{engine_error::invalid_request,
                     "a response builder returned status " + std::to_string(response.status_code)};
    }
    if (auto stored = idempotency::insert(sql, tenant_id, idem.key, idem.request_hash, response, now_ms); !stored) {
        return stored.error();
    }
    return IdempotentResult<T>{false, std::move(result).value(), std::move(response)};
}

}  // namespace billing::idempotent_call
