// Orders: buy, read, list, cancel, a delivered code, the event history.
#include "api_call.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/storage/queries.hpp"
#include "views.hpp"

namespace billing::server::routes {

namespace {

constexpr http::StringBounds name_bounds{1, 64};
constexpr http::StringBounds id_bounds{1, 128};
constexpr http::MapBounds attribute_bounds{32, {1, 64}};
constexpr http::StringBounds attribute_value_bounds{0, 256};
constexpr http::IntegerRange number_range{-amount_minor_max, amount_minor_max};

// Who a request's event is recorded as acting for (never taken from the body).
constexpr const char* customer_actor = "customer";  // the storefront, on the customer's behalf
constexpr const char* provider_actor = "provider";  // the number provider's integration
constexpr const char* support_actor = "support";    // the tenant's support staff

constexpr http::StringBounds note_bounds{0, 1000};

std::string order_body(const Call& call, const OrderRecord& order, const ActionPreview& cancel) {
    http::JsonWriter w;
    views::order(w, order, call.tenant->currency, cancel);
    return w.take();
}

}  // namespace

http::Problem denial_problem(const ApplyResult& result) {
    http::Problem problem = http::policy_denial(result.code, result.message, result.available_at_ms);
    if (sdk::is_request_refusal(result.code)) {
        // The request itself is what the policy cannot take (a reason the tenant does not list,
        // evidence its rules require), not the order's state now: 422, as a refused quote.
        problem.status = 422;
        problem.title = "Refused by the tenant's policy";
    }
    return problem;
}

namespace {

// The answer to an event on an order: the order as it is now, or the policy's denial. Pure: a
// rendering of the result, which holds everything it shows (the stored answer of a keyed
// request is made with it inside the transaction).
ApiResponse decided(Call& call, const EventResult& result) {
    if (!result.applied.allowed) return api::problem(call, denial_problem(result.applied));
    return api::json(200, order_body(call, result.applied.order, result.cancel));
}

// Applies event to the order in the path, with the request's Idempotency-Key if it has one.
ApiResponse apply_event(Call& call, const sdk::Event& event) {
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    auto policy = api::tenant_policy(call);
    if (!policy) return api::error(call, policy.error());
    const std::string& order_id = api::path_param(call, "id");
    if (!call.request.idempotency_key) {
        auto result = call.s.engine.apply(*policy.value(), call.tenant->id, order_id, event, now.value());
        if (!result) return api::error(call, result.error());
        return decided(call, result.value());
    }
    const auto idem = api::idempotency_key<EventResult>(call, [&](const EventResult& result) {
        // A denial is answered and stored too: a retry of it gets the same denial, never a
        // later success.
        return api::stored(decided(call, result));
    });
    auto result = call.s.engine.apply(*policy.value(), call.tenant->id, order_id, event, now.value(), idem);
    if (!result) return api::error(call, result.error());
    return api::replay(call, result.value().response, result.value().replayed);
}

}  // namespace

ApiResponse create_order(Call& call) {
    auto body = api::body_object(call, {"account_id", "product", "attributes", "numbers"});
    if (!body) return api::error(call, body.error());
    const http::JsonObject& b = body.value();
    auto account_id = b.required_string("account_id", id_bounds);
    if (!account_id) return api::error(call, account_id.error());
    auto product = b.required_string("product", name_bounds);
    if (!product) return api::error(call, product.error());
    auto attributes = b.string_map("attributes", attribute_bounds, attribute_value_bounds);
    if (!attributes) return api::error(call, attributes.error());
    auto numbers = b.integer_map("numbers", attribute_bounds, number_range);
    if (!numbers) return api::error(call, numbers.error());
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());

    sdk::PurchaseRequest request;
    request.product = product.value();
    request.attributes = sdk::Attributes(attributes.value().begin(), attributes.value().end());
    request.numbers = sdk::Numbers(numbers.value().begin(), numbers.value().end());
    auto policy = api::tenant_policy(call);
    if (!policy) return api::error(call, policy.error());
    const auto idem = api::idempotency_key<PurchaseResult>(call, [&](const PurchaseResult& purchased) {
        return api::stored(api::json(201, order_body(call, purchased.order, purchased.cancel)));
    });
    auto result =
        call.s.engine.purchase(*policy.value(), call.tenant->id, account_id.value(), request, now.value(), idem);
    if (!result) return api::error(call, result.error());
    return api::replay(call, result.value().response, result.value().replayed);
}

ApiResponse get_order(Call& call) {
    auto order = call.s.engine.get_order(call.tenant->id, api::path_param(call, "id"));
    if (!order) return api::error(call, order.error());
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    return api::json(200, order_body(call, order.value(), api::cancel_preview(call, order.value(), now.value())));
}

ApiResponse list_orders(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    const queries::OrderFilter filter{api::query_value(call, "account_id"), api::query_value(call, "state")};
    const std::string after = api::query_value(call, "starting_after").value_or("");
    auto page = call.s.db.read(
        [&](soci::session& sql) { return queries::orders(sql, call.tenant->id, filter, after, limit.value()); });
    if (!page) return api::error(call, page.error());
    return api::list(page.value().data, page.value().has_more, [&](http::JsonWriter& w, const OrderRecord& o) {
        views::order(w, o, call.tenant->currency, api::cancel_preview(call, o, now.value()));
    });
}

ApiResponse cancel_order(Call& call) {
    // An empty object: nothing to say but "cancel"; any member is a mistake worth reporting.
    auto body = api::body_object(call, {});
    if (!body) return api::error(call, body.error());
    sdk::Event event;
    event.type = sdk::event_type::cancel;
    event.actor = customer_actor;
    return apply_event(call, event);
}

ApiResponse order_message(Call& call) {
    // Only the service the code came from: the code itself is the customer's and the
    // provider's business, never stored or logged here.
    auto body = api::body_object(call, {"service"});
    if (!body) return api::error(call, body.error());
    auto service = body.value().required_string("service", name_bounds);
    if (!service) return api::error(call, service.error());
    sdk::Event event;
    event.type = sdk::event_type::message;
    event.actor = provider_actor;
    event.text["service"] = service.value();
    return apply_event(call, event);
}

ApiResponse refund_order(Call& call) {
    auto body = api::body_object(call, {"reason", "amount_minor", "note"});
    if (!body) return api::error(call, body.error());
    const http::JsonObject& b = body.value();
    auto reason = b.required_string("reason", name_bounds);
    if (!reason) return api::error(call, reason.error());
    if (!api::is_code_name(reason.value())) {
        return api::error(call, api::invalid("reason: 1 to 64 of a-z, 0-9 and _, as the tenant's config lists them"));
    }
    // Absent: everything still refundable (the policy works it out from the order).
    auto amount = b.optional_integer("amount_minor", {1, amount_minor_max});
    if (!amount) return api::error(call, amount.error());
    auto note = b.optional_string("note", note_bounds);
    if (!note) return api::error(call, note.error());
    sdk::Event event;
    event.type = sdk::event_type::support_refund;
    event.actor = support_actor;
    event.text[sdk::event_field::reason] = reason.value();
    if (note.value() && !note.value()->empty()) event.text[sdk::event_field::note] = *note.value();
    if (amount.value()) event.numbers[sdk::event_field::amount_minor] = *amount.value();
    return apply_event(call, event);
}

ApiResponse extend_order(Call& call) {
    auto body = api::body_object(call, {"hours"});
    if (!body) return api::error(call, body.error());
    // Up to ten years: the policy holds the real limit (a rental's longest term).
    auto hours = body.value().required_integer("hours", {1, 87'600});
    if (!hours) return api::error(call, hours.error());
    sdk::Event event;
    event.type = sdk::event_type::extend;
    event.actor = customer_actor;
    event.numbers[sdk::event_field::hours] = hours.value();
    return apply_event(call, event);
}

ApiResponse order_events(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    const std::string after = api::query_value(call, "starting_after").value_or("");
    auto page = call.s.db.read([&](soci::session& sql) {
        return queries::order_events(sql, call.tenant->id, api::path_param(call, "id"), after, limit.value());
    });
    if (!page) return api::error(call, page.error());
    return api::list(page.value().data, page.value().has_more,
                     [](http::JsonWriter& w, const events::EventRow& e) { views::event(w, e); });
}

}  // namespace billing::server::routes
