// The route table: the one place where the API's paths, names and roles are written down.
#include <array>

#include "billing/http/router.hpp"

namespace billing::http {

namespace {

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

constexpr bool key = true;  // Idempotency-Key required
constexpr Stage v1 = Stage::v1;
constexpr Stage later = Stage::later;

constexpr std::array table{
    RouteSpec{get, "/livez", "health.livez", anyone, false, v1},
    RouteSpec{get, "/readyz", "health.readyz", anyone, false, v1},
    RouteSpec{get, "/metrics", "metrics", anyone, false, v1},
    RouteSpec{get, "/openapi.json", "openapi", anyone, false, v1},

    RouteSpec{post, "/v1/accounts", "accounts.create", service, false, v1},
    RouteSpec{get, "/v1/accounts", "accounts.list", readers, false, v1},
    RouteSpec{get, "/v1/accounts/{id}", "accounts.get", readers, false, v1},
    RouteSpec{post, "/v1/accounts/{id}/deposits", "accounts.deposit", service, key, v1},
    RouteSpec{get, "/v1/accounts/{id}/transfers", "accounts.transfers", readers, false, v1},

    RouteSpec{get, "/v1/products", "products.list", readers, false, v1},

    RouteSpec{post, "/v1/orders", "orders.create", service, key, v1},
    RouteSpec{get, "/v1/orders", "orders.list", readers, false, v1},
    RouteSpec{get, "/v1/orders/{id}", "orders.get", readers, false, v1},
    RouteSpec{post, "/v1/orders/{id}/cancel", "orders.cancel", service, key, v1},
    RouteSpec{post, "/v1/orders/{id}/messages", "orders.message", service, false, v1},
    RouteSpec{post, "/v1/orders/{id}/refunds", "orders.refund", support, key, v1},
    RouteSpec{post, "/v1/orders/{id}/disputes", "orders.dispute", service, false, v1},
    RouteSpec{post, "/v1/orders/{id}/extend", "orders.extend", service, key, v1},
    RouteSpec{get, "/v1/orders/{id}/events", "orders.events", readers, false, v1},

    RouteSpec{get, "/v1/disputes", "disputes.list", readers, false, v1},
    RouteSpec{get, "/v1/disputes/{id}", "disputes.get", readers, false, v1},
    RouteSpec{post, "/v1/disputes/{id}/resolve", "disputes.resolve", support, key, v1},

    RouteSpec{get, "/v1/reports/delivery", "reports.delivery", readers, false, v1},

    RouteSpec{get, "/v1/test-clock", "test_clock.get", readers, false, v1},
    RouteSpec{post, "/v1/test-clock/advance", "test_clock.advance", clock_movers, false, v1},
    RouteSpec{del, "/v1/test-clock", "test_clock.reset", clock_movers, false, v1},

    RouteSpec{post, "/admin/tenants", "admin.tenants.create", host_operator, false, v1},
    RouteSpec{get, "/admin/tenants", "admin.tenants.list", host_operator, false, v1},
    RouteSpec{post, "/admin/tenants/{id}/keys", "admin.keys.create", host_operator, false, v1},
    RouteSpec{post, "/admin/tenants/{id}/policy", "admin.tenants.rebind", host_operator, false, v1},
    RouteSpec{del, "/admin/keys/{id}", "admin.keys.revoke", host_operator, false, v1},
    RouteSpec{get, "/admin/plugins", "admin.plugins.list", host_operator, false, v1},
    RouteSpec{post, "/admin/plugins/{name}/reload", "admin.plugins.reload", host_operator, false, v1},
    RouteSpec{get, "/admin/audit", "admin.audit", host_operator, false, v1},
};

}  // namespace

std::span<const RouteSpec> route_table() { return table; }

}  // namespace billing::http
