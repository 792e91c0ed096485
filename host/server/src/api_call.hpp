// One request on its way through the API's pipeline, and the helpers every route handler uses.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "billing/http/auth.hpp"
#include "billing/http/json_input.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/problem.hpp"
#include "billing/http/router.hpp"
#include "billing/server/api.hpp"

namespace billing::server {

struct Api::Call {
    ApiServices& s;
    const ApiOptions& options;
    const ApiRequest& request;
    std::string request_id;
    http::RouteMatch match{};
    std::optional<http::Caller> caller{};
    std::optional<TenantRecord> tenant{};  // set for routes of a tenant's key
    // The tenant's policy, taken once at the request's start (Api::dispatch) and passed to every
    // engine call of the request: one version for the whole request, whatever a swap does
    // meanwhile. nullptr when none serves the tenant (api::tenant_policy says so).
    std::shared_ptr<const plugin::PolicyInstance> policy{};
    std::map<std::string, std::string> query{};
    std::string body{};        // POST only
    std::string error_code{};  // the problem's code, for the log
    // Why a 5xx answer happened (the error's code and message, or the exception's text), for the
    // log line only: the client's detail is fixed.
    std::string cause{};
    bool draining = false;  // the host is shutting down: /readyz answers 503
};

using Call = Api::Call;

namespace api {

inline constexpr std::size_t page_limit_default = 20;
inline constexpr std::size_t page_limit_max = 100;

ApiResponse json(int status, std::string body);

// 200 {"object":"list","data":[render(item)...],"has_more":has_more}: every list of the API.
template <class Items, class Render>
ApiResponse list(const Items& items, bool has_more, Render&& render) {
    http::JsonWriter w;
    w.begin_object().key("object").string("list").key("data").begin_array();
    for (const auto& item : items) render(w, item);
    w.end_array().key("has_more").boolean(has_more).end_object();
    return json(200, w.take());
}
ApiResponse problem(Call& call, const http::Problem& problem);
ApiResponse error(Call& call, const Error& error);

// The response an idempotent route stores: JSON for a success, problem+json for anything else.
IdempotencyResponse stored(const ApiResponse& response);
// The stored answer as a response (Idempotent-Replayed: true when it was a replay); a stored
// problem's code goes to the log like any other. A replayed problem carries the replaying
// request's request_id, not the stored one's: every problem's request_id is its X-Request-Id,
// whose log line is the one that answered it (and names the code again).
ApiResponse replay(Call& call, const IdempotencyResponse& stored, bool replayed);

const std::string& path_param(const Call& call, std::string_view name);

std::optional<std::string> query_value(const Call& call, const std::string& name);
// limit=1..100 (default 20), bad_request otherwise.
Result<std::size_t> page_limit(const Call& call);

Result<http::JsonObject> body_object(const Call& call, std::initializer_list<std::string_view> known_fields);

// The request's policy (Call::policy), or policy_unavailable when none serves the tenant.
Result<const plugin::PolicyInstance*> tenant_policy(const Call& call);
// The order's cancel preview as GET answers show it, decided with the request's policy.
ActionPreview cancel_preview(const Call& call, const OrderRecord& order, UtcMs now_ms);

// The caller's tenant's time now: its test clock, or the system clock.
Result<UtcMs> tenant_now(Call& call);

// The SHA-256 (hex) of what makes two requests the same for an Idempotency-Key: method, path and
// the body's canonical form (http::canonical_json), so that whitespace and member order do not
// tell two requests apart, and a different value does.
std::string request_hash(const Call& call);
// The same over the body's bytes as sent: what records stored before canonical forms hold. A
// byte-identical retry matches them still (the same bytes are the same request).
std::string raw_request_hash(const Call& call);

// The request's Idempotency-Key (it must have one) for an engine call whose result respond
// turns into the stored answer: the canonical request hash, and the raw one as its legacy hash.
template <class T, class Respond>
IdempotencyKey<T> idempotency_key(const Call& call, Respond&& respond) {
    return IdempotencyKey<T>{.key = *call.request.idempotency_key,
                             .request_hash = request_hash(call),
                             .respond = std::forward<Respond>(respond),
                             .legacy_request_hash = raw_request_hash(call)};
}

// A 422 validation_failed with the message (which names the field).
Error invalid(std::string message);
// 1 to 64 of a-z, 0-9 and '_': how policies name reasons and codes.
bool is_code_name(std::string_view text);

}  // namespace api

// Route handlers, by area (routes_*.cpp).
namespace routes {
ApiResponse livez(Call& call);
ApiResponse readyz(Call& call);
ApiResponse metrics(Call& call);
ApiResponse openapi(Call& call);

ApiResponse create_account(Call& call);
ApiResponse list_accounts(Call& call);
ApiResponse get_account(Call& call);
ApiResponse deposit(Call& call);
ApiResponse list_transfers(Call& call);
ApiResponse list_products(Call& call);

ApiResponse create_order(Call& call);
ApiResponse list_orders(Call& call);
ApiResponse get_order(Call& call);
ApiResponse cancel_order(Call& call);
ApiResponse order_message(Call& call);
ApiResponse order_events(Call& call);
ApiResponse refund_order(Call& call);
ApiResponse extend_order(Call& call);
// The problem for a policy's denial: 409, or 422 for a refusal of the request itself
// (sdk::is_request_refusal).
http::Problem denial_problem(const ApplyResult& result);

ApiResponse open_dispute(Call& call);
ApiResponse list_disputes(Call& call);
ApiResponse get_dispute(Call& call);
ApiResponse resolve_dispute(Call& call);

ApiResponse delivery_report(Call& call);

ApiResponse get_test_clock(Call& call);
ApiResponse advance_test_clock(Call& call);
ApiResponse reset_test_clock(Call& call);

ApiResponse create_tenant(Call& call);
ApiResponse list_tenants(Call& call);
ApiResponse rebind_tenant(Call& call);
ApiResponse reload_plugin(Call& call);
ApiResponse create_key(Call& call);
ApiResponse revoke_key(Call& call);
ApiResponse list_plugins(Call& call);
ApiResponse audit(Call& call);
}  // namespace routes

}  // namespace billing::server
