#include "billing/http/router.hpp"

#include <gtest/gtest.h>

#include <set>

#include "billing/server/api_routes.hpp"

namespace billing::http {
namespace {

using server::api_routes;

// The template with every {param} replaced by a valid value.
std::string concrete(std::string_view path) {
    std::string out;
    bool in_param = false;
    for (const char c : path) {
        if (c == '{') {
            in_param = true;
            out += "ord_1.a-B";
        } else if (c == '}') {
            in_param = false;
        } else if (!in_param) {
            out += c;
        }
    }
    return out;
}

TEST(Router, EveryServedRouteMatchesItselfWithItsParams) {
    const Router router(api_routes());
    ASSERT_EQ(router.routes().size(), api_routes().size());
    for (const RouteSpec* route : router.routes()) {
        const RouteMatch m = router.match(method_name(route->method), concrete(route->path));
        ASSERT_EQ(m.kind, MatchKind::found) << route->path;
        EXPECT_EQ(m.route, route) << route->path;
        EXPECT_EQ(&api_routes()[m.index], route) << route->path;  // the index the Api dispatches by
        for (const PathParam& p : m.params) {
            EXPECT_EQ(p.value, "ord_1.a-B");
        }
    }
}

TEST(Router, OrderCancelGivesItsNameAndId) {
    const RouteMatch m = Router(api_routes()).match("POST", "/v1/orders/ord_42/cancel");
    ASSERT_EQ(m.kind, MatchKind::found);
    EXPECT_EQ(m.route->name, "orders.cancel");
    EXPECT_EQ(m.route->path, "/v1/orders/{id}/cancel");
    EXPECT_EQ(m.param("id"), "ord_42");
    EXPECT_EQ(m.param("name"), std::nullopt);
    EXPECT_EQ(m.route->idempotency, Idempotency::required);
}

TEST(Router, QueryStringIsIgnored) {
    const RouteMatch m = Router(api_routes()).match("GET", "/v1/accounts?external_ref=cust%2F1&x=?");
    ASSERT_EQ(m.kind, MatchKind::found);
    EXPECT_EQ(m.route->name, "accounts.list");
}

TEST(Router, KnownPathWithAnotherMethodIs405WithAllow) {
    const Router router(api_routes());
    const RouteMatch a = router.match("DELETE", "/v1/orders/ord_1");
    EXPECT_EQ(a.kind, MatchKind::method_not_allowed);
    EXPECT_EQ(a.allow, "GET");
    const RouteMatch b = router.match("PUT", "/v1/accounts");
    EXPECT_EQ(b.kind, MatchKind::method_not_allowed);
    EXPECT_EQ(b.allow, "POST, GET");
    EXPECT_EQ(router.match("GET", "/v1/orders/ord_1/cancel").allow, "POST");
    EXPECT_EQ(router.match("get", "/livez").kind, MatchKind::method_not_allowed);  // methods are case-sensitive
    EXPECT_EQ(router.match("HEAD", "/livez").allow, "GET");
}

TEST(Router, UnknownPathIs404WhateverTheMethod) {
    const Router router(api_routes());
    for (const char* method : {"GET", "POST", "DELETE", "PATCH"}) {
        for (const char* target : {"/", "", "v1/orders", "/v1", "/v1/nothing", "/v1/orders/", "/v1//orders",
                                   "/v1/orders/ord_1/", "/v1/orders/ord_1/cancel/x", "/V1/orders", "/livez/",
                                   "/v1/orders/ord%201", "/v1/orders/{id}", "/v1/orders/a b"}) {
            const RouteMatch m = router.match(method, target);
            EXPECT_EQ(m.kind, MatchKind::not_found) << method << " " << target;
            EXPECT_EQ(m.route, nullptr);
            EXPECT_TRUE(m.allow.empty());
        }
    }
}

TEST(Router, ParamLengthBoundIs128) {
    const Router router(api_routes());
    EXPECT_EQ(router.match("GET", "/v1/orders/" + std::string(128, 'a')).kind, MatchKind::found);
    EXPECT_EQ(router.match("GET", "/v1/orders/" + std::string(129, 'a')).kind, MatchKind::not_found);
}

TEST(Router, EveryRouteOfTheTableIsServedByTheV1Router) {
    const Router router(api_routes());
    EXPECT_EQ(router.routes().size(), api_routes().size());
    EXPECT_EQ(router.match("POST", "/v1/orders/ord_1/refunds").kind, MatchKind::found);
    EXPECT_EQ(router.match("GET", "/v1/disputes").kind, MatchKind::found);
    EXPECT_EQ(router.match("GET", "/v1/reports/delivery").kind, MatchKind::found);
}

TEST(Router, TheV1TableIsIssue4sListWithIssue6sSwapAndIssue8sRoutes) {
    std::set<std::string> served;
    const Router router(api_routes());
    for (const RouteSpec* route : router.routes()) {
        served.insert(std::string(method_name(route->method)) + " " + std::string(route->path));
    }
    const std::set<std::string> issue4{
        "GET /livez", "GET /readyz", "GET /metrics", "GET /openapi.json", "POST /v1/accounts", "GET /v1/accounts/{id}",
        "GET /v1/accounts", "POST /v1/accounts/{id}/deposits", "GET /v1/accounts/{id}/transfers", "GET /v1/products",
        "POST /v1/orders", "GET /v1/orders/{id}", "GET /v1/orders", "POST /v1/orders/{id}/cancel",
        "POST /v1/orders/{id}/messages", "GET /v1/orders/{id}/events", "GET /v1/test-clock",
        "POST /v1/test-clock/advance", "POST /admin/tenants", "GET /admin/tenants", "POST /admin/tenants/{id}/keys",
        "DELETE /admin/keys/{id}", "GET /admin/plugins", "GET /admin/audit",
        // issue 6: hot swap and rebinding
        "POST /admin/plugins/{name}/reload", "POST /admin/tenants/{id}/policy",
        // issue 8: support refunds, disputes, rental extension, the delivery report
        "POST /v1/orders/{id}/refunds", "POST /v1/orders/{id}/disputes", "POST /v1/orders/{id}/extend",
        "GET /v1/disputes", "GET /v1/disputes/{id}", "POST /v1/disputes/{id}/resolve", "GET /v1/reports/delivery",
        // a test clock's way back
        "DELETE /v1/test-clock"};
    EXPECT_EQ(served, issue4);
}

TEST(Router, NamesAndMethodTemplatePairsAreUnique) {
    std::set<std::string_view> names;
    std::set<std::string> pairs;
    for (const RouteSpec& route : api_routes()) {
        EXPECT_TRUE(names.insert(route.name).second) << route.name;
        EXPECT_TRUE(pairs.insert(std::string(method_name(route.method)) + std::string(route.path)).second);
    }
}

TEST(Router, IdempotencyKeyIsRequiredExactlyOnTheMoneyPosts) {
    std::set<std::string_view> required;
    for (const RouteSpec& route : api_routes()) {
        if (route.idempotency == Idempotency::required) {
            EXPECT_EQ(route.method, Method::post) << route.name;
            required.insert(route.name);
        }
    }
    EXPECT_EQ(required, (std::set<std::string_view>{"accounts.deposit", "orders.create", "orders.cancel",
                                                    "orders.refund", "orders.extend", "disputes.resolve"}));
}

// A delivered code may capture money and a dispute is one per order: a key is stored when sent.
TEST(Router, IdempotencyKeyIsOptionalOnMessagesAndDisputes) {
    std::set<std::string_view> optional;
    for (const RouteSpec& route : api_routes()) {
        if (route.idempotency == Idempotency::optional) optional.insert(route.name);
    }
    EXPECT_EQ(optional, (std::set<std::string_view>{"orders.message", "orders.dispute"}));
}

TEST(Router, OnlyHealthMetricsAndOpenApiArePublic) {
    for (const RouteSpec& route : api_routes()) {
        const bool expected = route.path == "/livez" || route.path == "/readyz" || route.path == "/metrics" ||
                              route.path == "/openapi.json";
        EXPECT_EQ(route.roles.is_public(), expected) << route.path;
    }
}

TEST(Router, MethodNamesRoundTrip) {
    for (const Method method : {Method::get, Method::post, Method::del}) {
        EXPECT_EQ(parse_method(method_name(method)), method);
    }
    EXPECT_EQ(parse_method("PATCH"), std::nullopt);
    EXPECT_EQ(parse_method("Get"), std::nullopt);
}

}  // namespace
}  // namespace billing::http
