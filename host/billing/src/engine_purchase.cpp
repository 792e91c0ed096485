// Engine::purchase: quote -> check -> charge -> order, timers and first event, in one transaction.
#include "billing/core/ids.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/engine/engine.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/idempotency.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "idempotent_call.hpp"
#include "billing/storage/json_codec.hpp"
#include "order_moves.hpp"

namespace billing {

namespace {

Result<sdk::Quote> ask_quote(const plugin::PolicyInstance& policy, const sdk::PurchaseRequest& request,
                             UtcMs now_ms) {
    sdk::Context context;
    context.now_ms = now_ms;
    try {
        return policy.policy().quote(request, context);
    } catch (const std::exception& e) {
        return Error{engine_error::policy_failed, order_moves::policy_label(policy.info()) + " failed to quote product " +
                                                      request.product + ": " + e.what()};
    } catch (...) {
        return Error{engine_error::policy_failed,
                     order_moves::policy_label(policy.info()) + " failed to quote product " + request.product};
    }
}

// Refusals and host checks of a quote, in the order a caller can act on them.
// A policy_violation names the policy, the purchase (no order exists yet: the account and the
// product) and the rule, so that the log line of the 500 says what to fix.
Result<const sdk::ProductInfo*> accept_quote(const plugin::PolicyInstance& policy, const sdk::Quote& quote,
                                             const sdk::PurchaseRequest& request, const std::string& account_id,
                                             MinorUnits balance_minor, UtcMs now_ms) {
    if (!quote.allowed) {
        return Error{quote.code.empty() ? "purchase_refused" : quote.code, quote.message};
    }
    const std::string where = order_moves::policy_label(policy.info()) + " quoting product " + request.product +
                              " for account " + account_id + ": ";
    const sdk::ProductInfo* product = decision_check::find_product(policy.info(), request.product);
    if (product == nullptr) {
        return Error{engine_error::policy_violation, where + "unknown_product: the policy quoted an undeclared product"};
    }
    if (auto broken = decision_check::quote_violation(quote, *product, balance_minor, now_ms)) {
        return Error{engine_error::policy_violation, where + *broken};
    }
    return product;
}

OrderRecord new_order(const std::string& tenant_id, const std::string& account_id, const sdk::Quote& quote,
                      const sdk::ProductInfo& product, const std::string& policy, UtcMs now_ms) {
    OrderRecord o;
    o.id = new_id("ord");
    o.tenant_id = tenant_id;
    o.account_id = account_id;
    o.product = product.name;
    o.state = quote.state;
    o.attributes = quote.attributes;
    o.terms = quote.terms;
    o.price_minor = quote.price_minor;
    o.charged_minor = quote.price_minor;
    o.policy = policy;
    o.is_final = decision_check::is_final_state(product, quote.state);
    o.version = 1;
    o.created_at_ms = now_ms;
    o.updated_at_ms = now_ms;
    if (o.is_final) o.closed_at_ms = now_ms;
    return o;
}

// The first event record: the quote, in the shape of a decision.
events::EventRow purchase_event(const OrderRecord& order, const sdk::Quote& quote, const std::string& event_id,
                                UtcMs now_ms, UtcMs written_at_ms) {
    sdk::Decision as_decision = sdk::allow(quote.message);
    as_decision.new_state = quote.state;
    as_decision.moves = quote.moves;
    as_decision.add_timers = quote.timers;
    as_decision.set_attributes = quote.attributes;
    as_decision.set_terms = quote.terms;
    return events::EventRow{event_id, order.tenant_id, order.id, order.version, events::purchase_type, "", "customer",
                            order.policy, now_ms, true, quote.code, json_codec::encode(as_decision), written_at_ms,
                            /*request_json=*/""};  // the purchase's fields are the order's own
}

struct PurchaseCall {
    const plugin::PolicyInstance& policy;
    const std::string& tenant_id;
    const std::string& account_id;
    const sdk::PurchaseRequest& request;
    UtcMs now_ms;
    UtcMs written_at_ms;
    Preview preview;
};

// system: the tenant's system accounts (Engine::system_accounts, cached).
Result<PurchaseResult> purchase_in(soci::session& sql, const PurchaseCall& c,
                                   const Result<ledger::SystemAccounts>& system) {
    auto customer = accounts::get_customer(sql, c.tenant_id, c.account_id);
    if (!customer) return customer.error();
    if (!system) return system.error();
    auto quote = ask_quote(c.policy, c.request, c.now_ms);
    if (!quote) return quote.error();
    auto product =
        accept_quote(c.policy, quote.value(), c.request, c.account_id, customer.value().balance_minor, c.now_ms);
    if (!product) return product.error();

    const sdk::Quote& q = quote.value();
    OrderRecord order = new_order(c.tenant_id, c.account_id, q, *product.value(),
                                  order_moves::policy_label(c.policy.info()), c.now_ms);
    const std::string event_id = new_id("evt");
    order_moves::add_amounts(q.moves, order);
    // The answer's cancel preview, from the order as it is written and before any row is: the
    // tenant's escrow row is locked by the charge only, never through this second call into the
    // policy.
    ActionPreview cancel;
    if (c.preview == Preview::cancel) cancel = Engine::cancel_preview(c.policy, order, c.now_ms);
    orders::insert(sql, order);
    for (const sdk::TimerRequest& timer : q.timers) {
        timers::insert(sql, timers::TimerRow{order.id, timer.name, c.tenant_id, timer.due_at_ms});
    }
    events::append(sql, purchase_event(order, q, event_id, c.now_ms, c.written_at_ms));
    // The money last: the customer's and the tenant's escrow rows stay locked only from here to
    // COMMIT (every purchase of the tenant updates its escrow row). An empty purse fails here
    // and rolls the order back with it.
    if (q.price_minor > 0) {
        ledger::Transfer charge{c.tenant_id, c.account_id, system.value().escrow, q.price_minor,
                                ledger::transfer_kind::purchase, order.id, event_id, c.written_at_ms};
        if (auto posted = ledger::post(sql, charge); !posted) return posted.error();
    }
    const order_moves::Target target{system.value(), event_id, c.written_at_ms};
    if (auto moved = order_moves::post(sql, q.moves, target, order); !moved) return moved.error();
    return PurchaseResult{std::move(order), std::move(cancel)};
}

}  // namespace

Result<PurchaseResult> Engine::purchase(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                        const std::string& account_id, const sdk::PurchaseRequest& request,
                                        UtcMs now_ms, Preview preview) {
    const PurchaseCall call{policy, tenant_id, account_id, request, now_ms, clock_.now_ms(), preview};
    auto result = db_.write(
        [&](soci::session& sql) { return purchase_in(sql, call, system_accounts(sql, tenant_id)); });
    if (result && change_listener_) {
        const OrderRecord& order = result.value().order;
        change_listener_(OrderChange{events::purchase_type, order, 0, order.is_final});
    }
    return result;
}

Result<IdempotentResult<PurchaseResult>> Engine::purchase(const plugin::PolicyInstance& policy,
                                                          const std::string& tenant_id, const std::string& account_id,
                                                          const sdk::PurchaseRequest& request, UtcMs now_ms,
                                                          const IdempotencyKey<PurchaseResult>& idem) {
    if (auto refused = idempotency::refusal(idem.key, idem.request_hash, static_cast<bool>(idem.respond))) {
        return *refused;
    }
    const PurchaseCall call{policy, tenant_id, account_id, request, now_ms, clock_.now_ms(), Preview::cancel};
    auto result = db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, call.written_at_ms,
                                    [&] { return purchase_in(sql, call, system_accounts(sql, tenant_id)); });
    });
    if (result && result.value().result && change_listener_) {
        const OrderRecord& order = result.value().result->order;
        change_listener_(OrderChange{events::purchase_type, order, 0, order.is_final});
    }
    return result;
}

}  // namespace billing
