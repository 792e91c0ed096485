// Refused requests outside the body: paths the host does not serve (404), methods a path does not
// have (405 with Allow, both from the route table), bad query parameters (400) and bad
// Idempotency-Keys (400). Every answer is problem+json, and the tenant reads exactly the same
// afterwards (the fixture's audit runs after each test).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "boundary_fixture.hpp"

namespace billing::integration {
namespace {

using boundaries::concrete_path;
using boundaries::is_problem;
using boundaries::RawRequest;
using boundaries::repeat;
using boundaries::route_label;
using boundaries::served_routes;

// "GET, POST" -> {"GET", "POST"}
std::set<std::string> methods_of(const std::string& allow) {
    std::set<std::string> out;
    std::istringstream in(allow);
    std::string method;
    while (std::getline(in, method, ',')) {
        method.erase(0, method.find_first_not_of(' '));
        method.erase(method.find_last_not_of(' ') + 1);
        out.insert(method);
    }
    return out;
}

using BoundariesBadRequest = boundaries::BoundaryTest;

TEST_F(BoundariesBadRequest, PathsTheHostDoesNotServeAre404WithOrWithoutAKey) {
    std::vector<std::string> targets{"/",
                                     "/v1",
                                     "/v2/accounts",
                                     "/v1/accounts/",
                                     "/v1//accounts",
                                     "/V1/accounts",
                                     "/v1/Accounts",
                                     "/v1/account",
                                     "/livez/",
                                     "/livez/x",
                                     "/admin",
                                     "/admin/",
                                     "/v1/accounts/" + data_.accounts[0] + "/deposit",
                                     "/v1/accounts/" + data_.accounts[0] + "/",
                                     "/v1/accounts/" + data_.accounts[0] + "/transfers/x",
                                     "/v1/accounts/a%2Fb",
                                     "/v1/accounts/a%20b",
                                     "/v1/accounts/" + repeat('a', 129),
                                     "/v1/orders/" + data_.orders[0] + "/cancel/",
                                     "/v1/orders/%2e%2e",
                                     "/v1/accounts/../orders",
                                     "/metrics.txt",
                                     "*"};
    // The routes of later issues are in the table but not served yet.
    std::set<std::string> served_paths;
    for (const http::RouteSpec* route : served_routes()) served_paths.insert(std::string(route->path));
    for (const http::RouteSpec& route : server::api_routes()) {
        if (!served_paths.count(std::string(route.path))) targets.push_back(concrete_path(route, "x1"));
    }
    for (const std::string& target : targets) {
        for (const char* method : {"GET", "POST", "DELETE"}) {
            RawRequest request;
            request.method = method;
            request.target = target;
            if (std::string(method) == "POST") {
                request.body = "{}";
                request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", fresh_key()}};
            }
            EXPECT_TRUE(is_problem(send(request, std::nullopt), 404, "not_found")) << method << " " << target;
            EXPECT_TRUE(is_problem(send(request, "Bearer " + api().keys().service), 404, "not_found"))
                << method << " " << target << " with a key";
        }
    }
    EXPECT_EQ(state(), before_);
}

// For every path of the route table, every method it does not have: 405, and Allow lists exactly
// the methods the table has for it.
TEST_F(BoundariesBadRequest, MethodsAPathDoesNotHaveAre405WithAllow) {
    std::vector<std::string> paths;
    for (const http::RouteSpec* route : served_routes()) {
        if (std::find(paths.begin(), paths.end(), route->path) == paths.end()) paths.emplace_back(route->path);
    }
    int answered = 0;
    for (const std::string& path : paths) {
        std::set<std::string> allowed;
        const http::RouteSpec* any = nullptr;
        for (const http::RouteSpec* route : served_routes()) {
            if (route->path == path) {
                allowed.insert(std::string(http::method_name(route->method)));
                any = route;
            }
        }
        const std::string target = concrete_path(*any, "x1");
        for (const char* method : {"GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "TRACE", "get", "Post"}) {
            if (allowed.count(method)) continue;
            RawRequest request;
            request.method = method;
            request.target = target;
            request.body = "";  // Content-Length: 0 (see RequestsWithoutABodyLengthAreAnsweredAtOnce)
            for (const std::optional<std::string>& key :
                 {std::optional<std::string>(), std::optional<std::string>("Bearer " + api().keys().service)}) {
                const Response r = send(request, key);
                EXPECT_TRUE(is_problem(r, 405, "method_not_allowed")) << method << " " << target;
                EXPECT_EQ(methods_of(r.header("allow")), allowed)
                    << method << " " << target << ": Allow is \"" << r.header("allow") << "\"";
                ++answered;
            }
        }
    }
    EXPECT_GT(answered, 0);
    EXPECT_EQ(state(), before_);
}

// RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has a body of length
// zero. Whatever its method, it is answered at once, not when the client gives up waiting.
TEST_F(BoundariesBadRequest, RequestsWithoutABodyLengthAreAnsweredAtOnce) {
    const std::vector<std::pair<std::string, std::string>> requests{
        {"OPTIONS", "/livez"},
        {"PUT", "/v1/accounts"},
        {"POST", "/nope"},
        {"POST", "/v1/accounts"},
        {"POST", "/v1/accounts/" + data_.accounts[0] + "/deposits"},
        // Not the fixture's order: an empty body is an empty object, and a cancel needs no more.
        {"POST", "/v1/orders/nothing_here/cancel"}};
    for (const auto& [method, target] : requests) {
        for (const bool with_key : {false, true}) {
            RawRequest request;
            request.method = method;
            request.target = target;
            request.declare_length = false;
            request.timeout_s = 3;
            request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", fresh_key()}};
            try {
                const Response r = send(request, with_key ? std::optional<std::string>("Bearer " + api().keys().service)
                                                          : std::nullopt);
                EXPECT_GE(r.status, 400) << r.describe();
                EXPECT_LT(r.status, 500) << r.describe();
                EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.describe();
            } catch (const std::exception& e) {
                ADD_FAILURE() << method << " " << target << (with_key ? " with a key" : "")
                              << " and no Content-Length: " << e.what();
            }
        }
    }
    EXPECT_EQ(state(), before_);
}

// The list routes' query: limit is an integer from 1 to 100, a name is given once, and names the
// route does not know are refused.
TEST_F(BoundariesBadRequest, BadQueryParametersOnListRoutesAre400) {
    const std::vector<std::pair<std::string, std::string>> lists{
        {"/v1/accounts", api().keys().service},
        {"/v1/orders", api().keys().support},
        {"/v1/accounts/" + data_.accounts[0] + "/transfers", api().keys().admin},
        {"/admin/tenants", host().operator_key()},
    };
    for (const auto& [path, key] : lists) {
        const RequestOptions as{key, std::nullopt, ""};
        for (const char* query :
             {"limit=0",    "limit=101", "limit=abc",  "limit=-1",          "limit=1.5",
              "limit=",     "limit",     "limit=1e1",  "limit=0x10",        "limit=%31%30%31",
              "limit=1000", "limit=+5",  "limit=%205", "limit=5%20",        "limit=1&limit=2",
              "limit=%zz",  "unknown=1", "LIMIT=10",   "limit=10&unknown=", "starting_after=a&starting_after=b",
              "%zz=1"}) {
            const std::string target = path + "?" + query;
            EXPECT_TRUE(is_problem(http().get(target, as), 400, "bad_request")) << "GET " << target;
        }
        // The bounds themselves are fine.
        for (const char* query : {"limit=1", "limit=100", "limit=001", "limit=%31%30%30", ""}) {
            const Response r = http().get(path + "?" + query, as);
            EXPECT_EQ(r.status, 200) << r.describe();
        }
    }
    EXPECT_EQ(state(), before_);
}

// Strictness everywhere: a name that the route does not know is a mistake worth reporting on
// every route that needs a key, not only on the lists (orders.events and test_clock.get refuse
// it; so must the rest).
TEST_F(BoundariesBadRequest, UnknownQueryParametersAre400OnEveryGetRouteThatNeedsAKey) {
    for (const http::RouteSpec* route : served_routes()) {
        if (route->method != http::Method::get || route->roles.is_public()) continue;
        auto request = real_request(*route);
        ASSERT_TRUE(request);
        request->target += "?unknown=1";
        EXPECT_TRUE(is_problem(send(*request, "Bearer " + allowed_key(*route)), 400, "bad_request"))
            << route_label(*route);
    }
    EXPECT_EQ(state(), before_);
}

// On the routes that store their answer under the key: every route that moves money.
TEST_F(BoundariesBadRequest, IdempotencyKeysOver255CharactersOrEmptyAre400OnEveryMoneyRoute) {
    for (const http::RouteSpec* route : served_routes()) {
        if (route->idempotency != http::Idempotency::required) continue;
        for (const std::string& key : {repeat('k', 256), repeat('k', 1000), std::string()}) {
            auto request = real_request(*route);
            ASSERT_TRUE(request);
            request->headers[1].second = key;  // Idempotency-Key
            EXPECT_TRUE(is_problem(send(*request, "Bearer " + allowed_key(*route)), 400, "bad_request"))
                << route_label(*route) << " with an Idempotency-Key of " << key.size() << " characters";
        }
    }
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadRequest, AnIdempotencyKeyOf255CharactersIsTaken) {
    RawRequest request;
    request.method = "POST";
    request.target = "/v1/accounts/nothing_here/deposits";
    request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", repeat('k', 255)}};
    request.body = R"({"amount_minor":100})";
    EXPECT_TRUE(is_problem(send(request, "Bearer " + api().keys().service), 404, "account_not_found"));
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadRequest, RoutesThatMoveMoneyRequireAnIdempotencyKey) {
    int keyed = 0;
    for (const http::RouteSpec* route : served_routes()) {
        if (route->idempotency != http::Idempotency::required) continue;
        ++keyed;
        auto request = real_request(*route);
        ASSERT_TRUE(request);
        request->headers.pop_back();  // Idempotency-Key
        EXPECT_TRUE(is_problem(send(*request, "Bearer " + allowed_key(*route)), 400, "idempotency_key_required"))
            << route_label(*route);
    }
    EXPECT_EQ(keyed, 6) << "deposits, purchases, cancels, support refunds, extensions and dispute resolutions";
    EXPECT_EQ(state(), before_);
}

}  // namespace
}  // namespace billing::integration
