// Engine::purchase: quote -> check -> charge -> order, timers and first event, in one transaction.
#include "billing/core/ids.hpp"
#include "billing/engine/engine.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/idempotency.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "idempotent_call.hpp"
#include "order_moves.hpp"
#include "plan_writer.hpp"
#include "write_plan.hpp"

namespace billing {

namespace {

Result<sdk::Quote> ask_quote(const plugin::PolicyInstance& policy, const sdk::PurchaseRequest& request, UtcMs now_ms) {
    sdk::Context context;
    context.now_ms = now_ms;
    try {
        return policy.policy().quote(request, context);
    } catch (const std::exception& e) {
        return Error{engine_error::policy_failed, order_moves::policy_label(policy.info()) +
                                                      " failed to quote product " + request.product + ": " + e.what()};
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
        return Error{engine_error::policy_violation,
                     where + "unknown_product: the policy quoted an undeclared product"};
    }
    if (auto broken = decision_check::quote_violation(quote, *product, balance_minor, now_ms)) {
        return Error{engine_error::policy_violation, where + *broken};
    }
    return product;
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

    const std::string order_id = new_id("ord");
    const std::string event_id = new_id("evt");
    const std::string policy = order_moves::policy_label(c.policy.info());
    auto plan = write_plan::plan_purchase({.order_id = order_id,
                                           .tenant_id = c.tenant_id,
                                           .account_id = c.account_id,
                                           .quote = quote.value(),
                                           .product = *product.value()},
                                          {.system = system.value(),
                                           .policy = policy,
                                           .event_id = event_id,
                                           .now_ms = c.now_ms,
                                           .written_at_ms = c.written_at_ms});
    if (!plan) return plan.error();
    // The answer's cancel preview, from the order as the plan writes it and before any row is
    // written: the tenant's escrow row is locked by the charge only, never through this second
    // call into the policy.
    ActionPreview cancel;
    if (c.preview == Preview::cancel) cancel = Engine::cancel_preview(c.policy, plan.value().order.order, c.now_ms);
    if (auto written = plan_writer::write(sql, plan.value()); !written) return written.error();
    return PurchaseResult{std::move(plan.value().order.order), std::move(cancel)};
}

}  // namespace

Result<PurchaseResult> Engine::purchase(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                        const std::string& account_id, const sdk::PurchaseRequest& request,
                                        UtcMs now_ms, Preview preview) {
    const PurchaseCall call{.policy = policy,
                            .tenant_id = tenant_id,
                            .account_id = account_id,
                            .request = request,
                            .now_ms = now_ms,
                            .written_at_ms = clock_.now_ms(),
                            .preview = preview};
    auto result =
        db_.write([&](soci::session& sql) { return purchase_in(sql, call, system_accounts(sql, tenant_id)); });
    if (result && change_listener_) {
        const OrderRecord& order = result.value().order;
        change_listener_(OrderChange{
            .event_type = events::purchase_type, .order = order, .refunded_minor = 0, .closed = order.is_final});
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
    const PurchaseCall call{.policy = policy,
                            .tenant_id = tenant_id,
                            .account_id = account_id,
                            .request = request,
                            .now_ms = now_ms,
                            .written_at_ms = clock_.now_ms(),
                            .preview = Preview::cancel};
    if (auto replayed = idempotent_call::replay_before_writing(db_, tenant_id, idem)) return std::move(*replayed);
    auto result = db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, call.written_at_ms,
                                    [&] { return purchase_in(sql, call, system_accounts(sql, tenant_id)); });
    });
    if (result && result.value().result && change_listener_) {
        const OrderRecord& order = result.value().result->order;
        change_listener_(OrderChange{
            .event_type = events::purchase_type, .order = order, .refunded_minor = 0, .closed = order.is_final});
    }
    return result;
}

}  // namespace billing
