// The route table: the one place where the API's routes are written down, one line each. The
// router, the role check, the Idempotency-Key rules, the query check and dispatch all read it;
// tests/http/openapi_routes_test.cpp holds host/server/openapi.json to it.
#include "billing/server/api_routes.hpp"

#include <string_view>

#include "api_call.hpp"

namespace billing::server {

namespace {

using http::Idempotency;
using http::Method;
using http::Role;
using http::RoleSet;
using Query = std::span<const std::string_view>;

constexpr Method get = Method::get;
constexpr Method post = Method::post;
constexpr Method del = Method::del;

constexpr RoleSet anyone{};
// Reads of a tenant's data: its backend, its support staff and its admins (DESIGN §6: support
// reads everything).
constexpr RoleSet readers{Role::service, Role::support, Role::admin};
constexpr RoleSet service{Role::service};
constexpr RoleSet support{Role::support};
// A test clock is moved by the tenant's backend in its tests, or by its admin.
constexpr RoleSet clock_movers{Role::service, Role::admin};
constexpr RoleSet host_operator{Role::host_operator};

// The Idempotency-Key: required on the POSTs that move money; optional (stored and replayed when
// sent) on a delivered code, which may capture money, and on a dispute. Elsewhere it is ignored:
// creating an account is guarded by its unique external_ref, and a test clock moved "to" a time
// is the same however often it is asked.
constexpr Idempotency ignored = Idempotency::ignored;
constexpr Idempotency optional = Idempotency::optional;
constexpr Idempotency required = Idempotency::required;

// The query parameters a route reads; any other is refused with 400 (a typo in a filter must not
// silently list everything).
constexpr Query none{};
constexpr std::string_view paged[] = {"limit", "starting_after"};
constexpr std::string_view accounts_filter[] = {"external_ref", "limit", "starting_after"};
constexpr std::string_view orders_filter[] = {"account_id", "state", "limit", "starting_after"};
constexpr std::string_view disputes_filter[] = {"state", "limit", "starting_after"};
constexpr std::string_view delivery_filter[] = {"group_by", "product", "from", "to", "top", "min_orders"};

constexpr ApiRoute route(Method method, std::string_view path, std::string_view name, RoleSet roles,
                         Idempotency idempotency, Query query, ApiResponse (*handler)(Call&)) {
    return ApiRoute{{method, path, name, roles, idempotency, query}, handler};
}

// clang-format off
constexpr ApiRoute table[] = {
//       method path                            name                    roles          key       query            handler
    route(get,  "/livez",                       "health.livez",         anyone,        ignored,  none,            routes::livez),
    route(get,  "/readyz",                      "health.readyz",        anyone,        ignored,  none,            routes::readyz),
    route(get,  "/metrics",                     "metrics",              anyone,        ignored,  none,            routes::metrics),
    route(get,  "/openapi.json",                "openapi",              anyone,        ignored,  none,            routes::openapi),

    route(post, "/v1/accounts",                 "accounts.create",      service,       ignored,  none,            routes::create_account),
    route(get,  "/v1/accounts",                 "accounts.list",        readers,       ignored,  accounts_filter, routes::list_accounts),
    route(get,  "/v1/accounts/{id}",            "accounts.get",         readers,       ignored,  none,            routes::get_account),
    route(post, "/v1/accounts/{id}/deposits",   "accounts.deposit",     service,       required, none,            routes::deposit),
    route(get,  "/v1/accounts/{id}/transfers",  "accounts.transfers",   readers,       ignored,  paged,           routes::list_transfers),

    route(get,  "/v1/products",                 "products.list",        readers,       ignored,  none,            routes::list_products),

    route(post, "/v1/orders",                   "orders.create",        service,       required, none,            routes::create_order),
    route(get,  "/v1/orders",                   "orders.list",          readers,       ignored,  orders_filter,   routes::list_orders),
    route(get,  "/v1/orders/{id}",              "orders.get",           readers,       ignored,  none,            routes::get_order),
    route(post, "/v1/orders/{id}/cancel",       "orders.cancel",        service,       required, none,            routes::cancel_order),
    route(post, "/v1/orders/{id}/messages",     "orders.message",       service,       optional, none,            routes::order_message),
    route(post, "/v1/orders/{id}/refunds",      "orders.refund",        support,       required, none,            routes::refund_order),
    route(post, "/v1/orders/{id}/disputes",     "orders.dispute",       service,       optional, none,            routes::open_dispute),
    route(post, "/v1/orders/{id}/extend",       "orders.extend",        service,       required, none,            routes::extend_order),
    route(get,  "/v1/orders/{id}/events",       "orders.events",        readers,       ignored,  paged,           routes::order_events),

    route(get,  "/v1/disputes",                 "disputes.list",        readers,       ignored,  disputes_filter, routes::list_disputes),
    route(get,  "/v1/disputes/{id}",            "disputes.get",         readers,       ignored,  none,            routes::get_dispute),
    route(post, "/v1/disputes/{id}/resolve",    "disputes.resolve",     support,       required, none,            routes::resolve_dispute),

    route(get,  "/v1/reports/delivery",         "reports.delivery",     readers,       ignored,  delivery_filter, routes::delivery_report),

    route(get,  "/v1/test-clock",               "test_clock.get",       readers,       ignored,  none,            routes::get_test_clock),
    route(post, "/v1/test-clock/advance",       "test_clock.advance",   clock_movers,  ignored,  none,            routes::advance_test_clock),
    route(del,  "/v1/test-clock",               "test_clock.reset",     clock_movers,  ignored,  none,            routes::reset_test_clock),

    route(post, "/admin/tenants",               "admin.tenants.create", host_operator, ignored,  none,            routes::create_tenant),
    route(get,  "/admin/tenants",               "admin.tenants.list",   host_operator, ignored,  paged,           routes::list_tenants),
    route(post, "/admin/tenants/{id}/keys",     "admin.keys.create",    host_operator, ignored,  none,            routes::create_key),
    route(post, "/admin/tenants/{id}/policy",   "admin.tenants.rebind", host_operator, ignored,  none,            routes::rebind_tenant),
    route(del,  "/admin/keys/{id}",             "admin.keys.revoke",    host_operator, ignored,  none,            routes::revoke_key),
    route(get,  "/admin/plugins",               "admin.plugins.list",   host_operator, ignored,  none,            routes::list_plugins),
    route(post, "/admin/plugins/{name}/reload", "admin.plugins.reload", host_operator, ignored,  none,            routes::reload_plugin),
    route(get,  "/admin/audit",                 "admin.audit",          host_operator, ignored,  none,            routes::audit),
};
// clang-format on

// That every route has a handler is a test (http.OpenApiRoutes.EveryRouteHasAHandler), not a
// static_assert: GCC 12 with -fsanitize=undefined cannot compare a function pointer with nullptr
// in a constant expression, and the ASan+UBSan build must compile this file too.

}  // namespace

std::span<const ApiRoute> api_routes() { return table; }

}  // namespace billing::server
