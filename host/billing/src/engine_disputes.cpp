// Disputes: opened by the customer (through the storefront) and resolved by support, each in
// ONE transaction with the policy's decision on the dispute's order, so the dispute's state,
// the order's money and its events never disagree. Lock order as everywhere: the order row
// first, then what hangs off it (here the dispute row).
#include "billing/core/ids.hpp"
#include "billing/engine/engine.hpp"
#include "billing/storage/disputes.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/orders.hpp"
#include "idempotent_call.hpp"

namespace billing {

namespace {

constexpr const char* customer_actor = "customer";

}  // namespace

Result<DisputeResult> Engine::open_dispute_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                              const std::string& tenant_id, const std::string& order_id,
                                              const NewDispute& dispute, UtcMs now_ms) {
    auto order = orders::get(sql, tenant_id, order_id, db_.dialect().lock_rows);
    if (!order) return order.error();
    // The order is locked, so no other transaction can open one between this check and the
    // insert (and the unique index on open_order_id would refuse it anyway).
    if (const std::string open = disputes::open_dispute_of(sql, order_id); !open.empty()) {
        return Error{engine_error::dispute_already_open, "order " + order_id + " has the open dispute " + open};
    }
    sdk::Event event;
    event.type = sdk::event_type::dispute_opened;
    event.actor = customer_actor;
    event.text[sdk::event_field::description] = dispute.description;
    if (!dispute.evidence_url.empty()) event.text[sdk::event_field::evidence_url] = dispute.evidence_url;
    const UtcMs decided_at_ms = std::max(now_ms, order.value().updated_at_ms);
    auto decided = decide_in(sql, policy, order.value(), event, decided_at_ms);
    if (!decided) return decided.error();
    ApplyResult& applied = decided.value().applied;
    if (!applied.allowed) return DisputeResult{.applied = std::move(applied), .dispute = std::nullopt};
    DisputeRecord record;
    record.id = new_id("dsp");
    record.tenant_id = tenant_id;
    record.order_id = order_id;
    record.account_id = order.value().account_id;
    record.state = dispute_state::open;
    record.description = dispute.description;
    record.evidence_url = dispute.evidence_url;
    record.opened_at_ms = decided_at_ms;
    disputes::insert(sql, record);
    return DisputeResult{.applied = std::move(applied), .dispute = std::move(record)};
}

Result<DisputeResult> Engine::open_dispute(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                           const std::string& order_id, const NewDispute& dispute, UtcMs now_ms) {
    auto result = db_.write(
        [&](soci::session& sql) { return open_dispute_in(sql, policy, tenant_id, order_id, dispute, now_ms); });
    if (result) tell(sdk::event_type::dispute_opened, result.value().applied);
    return result;
}

Result<IdempotentResult<DisputeResult>> Engine::open_dispute(const plugin::PolicyInstance& policy,
                                                             const std::string& tenant_id, const std::string& order_id,
                                                             const NewDispute& dispute, UtcMs now_ms,
                                                             const IdempotencyKey<DisputeResult>& idem) {
    if (auto replayed = idempotent_call::replay_before_writing(db_, tenant_id, idem)) return std::move(*replayed);
    auto result = db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, clock_.now_ms(),
                                    [&] { return open_dispute_in(sql, policy, tenant_id, order_id, dispute, now_ms); });
    });
    if (result && result.value().result) tell(sdk::event_type::dispute_opened, result.value().result->applied);
    return result;
}

Result<DisputeResult> Engine::resolve_dispute_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                                 const std::string& tenant_id, const std::string& dispute_id,
                                                 const DisputeResolution& resolution, const std::string& actor,
                                                 UtcMs now_ms) {
    auto found = disputes::get(sql, tenant_id, dispute_id);
    if (!found) return found.error();
    auto order = orders::get(sql, tenant_id, found.value().order_id, db_.dialect().lock_rows);
    if (!order) return order.error();
    // Read again under the order's lock: every change of a dispute holds it.
    auto dispute = disputes::get(sql, tenant_id, dispute_id);
    if (!dispute) return dispute.error();
    if (dispute.value().state != dispute_state::open) {
        return Error{engine_error::dispute_not_open, "dispute " + dispute_id + " is " + dispute.value().state};
    }
    sdk::Event event;
    event.type = sdk::event_type::dispute_resolved;
    event.actor = actor;
    event.text[sdk::event_field::resolution] = resolution.resolution;
    if (!resolution.note.empty()) event.text[sdk::event_field::note] = resolution.note;
    if (resolution.amount_minor) event.numbers[sdk::event_field::amount_minor] = *resolution.amount_minor;
    const UtcMs decided_at_ms = std::max(now_ms, order.value().updated_at_ms);
    auto decided = decide_in(sql, policy, order.value(), event, decided_at_ms);
    if (!decided) return decided.error();
    ApplyResult& applied = decided.value().applied;
    if (!applied.allowed) return DisputeResult{.applied = std::move(applied), .dispute = std::move(dispute).value()};
    DisputeRecord resolved = std::move(dispute).value();
    resolved.refunded_minor = applied.refunded_minor;
    resolved.state = resolved.refunded_minor > 0 ? dispute_state::refunded : dispute_state::rejected;
    resolved.resolved_at_ms = decided_at_ms;
    resolved.resolution_note = resolution.note;
    disputes::resolve(sql, resolved);
    return DisputeResult{.applied = std::move(applied), .dispute = std::move(resolved)};
}

Result<IdempotentResult<DisputeResult>> Engine::resolve_dispute(const plugin::PolicyInstance& policy,
                                                                const std::string& tenant_id,
                                                                const std::string& dispute_id,
                                                                const DisputeResolution& resolution,
                                                                const std::string& actor, UtcMs now_ms,
                                                                const IdempotencyKey<DisputeResult>& idem) {
    if (auto replayed = idempotent_call::replay_before_writing(db_, tenant_id, idem)) return std::move(*replayed);
    auto result = db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, clock_.now_ms(), [&] {
            return resolve_dispute_in(sql, policy, tenant_id, dispute_id, resolution, actor, now_ms);
        });
    });
    if (result && result.value().result) tell(sdk::event_type::dispute_resolved, result.value().result->applied);
    return result;
}

Result<DisputeRecord> Engine::get_dispute(const std::string& tenant_id, const std::string& dispute_id) {
    return db_.read([&](soci::session& sql) { return disputes::get(sql, tenant_id, dispute_id); });
}

}  // namespace billing
