// Accounts, deposits, transfers and products of the caller's tenant.
#include "api_call.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/storage/queries.hpp"
#include "views.hpp"

namespace billing::server::routes {

namespace {

constexpr http::StringBounds external_ref_bounds{1, 200};

std::string account_body(const AccountRecord& account, const std::string& currency) {
    http::JsonWriter w;
    views::account(w, account, currency);
    return w.take();
}

}  // namespace

ApiResponse create_account(Call& call) {
    auto body = api::body_object(call, {"external_ref"});
    if (!body) return api::error(call, body.error());
    auto ref = body.value().required_string("external_ref", external_ref_bounds);
    if (!ref) return api::error(call, ref.error());
    if (ref.value().front() == '@') {
        return api::error(call, Error{std::string(http::problem_code::validation_failed),
                                      "external_ref: may not start with '@' (reserved for the ledger's own accounts)"});
    }
    auto account = call.s.engine.create_account(call.tenant->id, ref.value());
    if (!account) return api::error(call, account.error());
    return api::json(201, account_body(account.value(), call.tenant->currency));
}

ApiResponse list_accounts(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    const auto ref = api::query_value(call, "external_ref");
    const std::string after = api::query_value(call, "starting_after").value_or("");
    auto page = call.s.db.read(
        [&](soci::session& sql) { return queries::accounts(sql, call.tenant->id, ref, after, limit.value()); });
    if (!page) return api::error(call, page.error());
    return api::list(page.value().data, page.value().has_more,
                     [&](http::JsonWriter& w, const AccountRecord& a) { views::account(w, a, call.tenant->currency); });
}

ApiResponse get_account(Call& call) {
    auto account = call.s.engine.get_account(call.tenant->id, api::path_param(call, "id"));
    // The tenant's system accounts are its ledger, not a customer's: as if they did not exist.
    if (account && account.value().kind != account_kind::customer) {
        return api::error(call, Error{"account_not_found", "no such account"});
    }
    if (!account) return api::error(call, account.error());
    return api::json(200, account_body(account.value(), call.tenant->currency));
}

ApiResponse deposit(Call& call) {
    auto body = api::body_object(call, {"amount_minor"});
    if (!body) return api::error(call, body.error());
    auto amount = body.value().required_money("amount_minor", {1, amount_minor_max});
    if (!amount) return api::error(call, amount.error());
    const std::string currency = call.tenant->currency;
    const auto idem = api::idempotency_key<AccountRecord>(call, [&](const AccountRecord& account) {
        return api::stored(api::json(200, account_body(account, currency)));
    });
    auto done = call.s.engine.deposit(call.tenant->id, api::path_param(call, "id"), amount.value(), idem);
    if (!done) return api::error(call, done.error());
    return api::replay(call, done.value().response, done.value().replayed);
}

ApiResponse list_transfers(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    const std::string after = api::query_value(call, "starting_after").value_or("");
    auto page = call.s.db.read([&](soci::session& sql) {
        return queries::transfers(sql, call.tenant->id, api::path_param(call, "id"), after, limit.value());
    });
    if (!page) return api::error(call, page.error());
    return api::list(
        page.value().data, page.value().has_more,
        [&](http::JsonWriter& w, const queries::TransferView& t) { views::transfer(w, t, call.tenant->currency); });
}

ApiResponse list_products(Call& call) {
    auto policy = api::tenant_policy(call);
    if (!policy) return api::error(call, policy.error());
    const sdk::PolicyInfo& info = policy.value()->info();
    http::JsonWriter w;
    w.begin_object().key("object").string("list");
    w.key("policy").string(info.name + "@" + info.version);
    w.key("data").begin_array();
    for (const sdk::ProductInfo& p : info.products) views::product(w, p);
    w.end_array().key("has_more").boolean(false).end_object();
    return api::json(200, w.take());
}

}  // namespace billing::server::routes
