// Keys and roles on every route the host serves, walked from the route table itself
// (billing::server::api_routes()), so that a route added there is covered here without an edit:
// - no key, a malformed, unknown, tampered or revoked key: 401 unauthorized on every non-public
//   route, while the public ones answer anyone;
// - every role outside a route's RoleSet: 403 forbidden; every role inside it gets past the check.
// The refused requests are real ones (the tenant's own ids, bodies that would succeed): the key
// check alone stops them, and the tenant reads exactly the same afterwards.
#include <gtest/gtest.h>

#include <Poco/Base64Encoder.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "billing/http/api_keys.hpp"
#include "boundary_fixture.hpp"

namespace billing::integration {
namespace {

using boundaries::concrete_path;
using boundaries::is_problem;
using boundaries::RawRequest;
using boundaries::route_label;
using boundaries::served_routes;
using http::Role;

std::string base64(const std::string& text) {
    std::ostringstream out;
    // One line: Poco's encoder breaks lines every 72 characters by default, and a CRLF inside a
    // header value is line folding, which the host refuses (400 bad_header) before any route.
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << text;
    encoder.close();
    return out.str();
}

// A key with one character of its secret changed: its prefix finds the stored key, its digest
// does not match.
std::string wrong_secret(std::string key) {
    key.back() = key.back() == 'a' ? 'b' : 'a';
    return key;
}

// The key with another role's tag ("bk_svc_..." -> "bk_adm_..."): prefix and secret are right.
std::string retagged(std::string key, const std::string& tag) { return key.replace(3, 3, tag); }

struct Credential {
    std::string label;
    std::optional<std::string> authorization;  // nullopt: no Authorization header at all
};

class BoundariesAccess : public boundaries::BoundaryTest {
protected:
    // Every way a request can come without a valid key.
    std::vector<Credential> invalid_credentials() {
        const TenantKeys& keys = api().keys();
        std::vector<Credential> all{
            {"no Authorization header", std::nullopt},
            {"an empty Authorization header", ""},
            {"Basic credentials", "Basic " + base64("user:" + keys.service)},
            {"Bearer without a token", "Bearer"},
            {"Bearer and blanks", "Bearer    "},
            {"a token that is no key", "Bearer not-a-key"},
            {"the key twice", "Bearer " + keys.service + " " + keys.service},
            {"the key without a scheme", keys.service},
            {"another scheme", "Token " + keys.service},
            {"the key short of a character", "Bearer " + keys.service.substr(0, keys.service.size() - 1)},
            {"the key and a character more", "Bearer " + keys.service + "a"},
            {"a service key with a wrong secret", "Bearer " + wrong_secret(keys.service)},
            {"an operator key with a wrong secret", "Bearer " + wrong_secret(host().operator_key())},
            {"a service key with the admin tag", "Bearer " + retagged(keys.service, "adm")},
            {"an admin key with the operator tag", "Bearer " + retagged(keys.admin, "opr")},
            {"a support key with the service tag", "Bearer " + retagged(keys.support, "svc")},
        };
        for (const Role role : http::all_roles) {
            auto unknown = http::generate_api_key(role);
            if (!unknown) {
                ADD_FAILURE() << unknown.error().message;
                continue;
            }
            all.push_back(
                {"an unknown " + std::string(http::role_name(role)) + " key", "Bearer " + unknown.value().key});
        }
        for (const char* role : {"service", "support", "admin"}) {
            const Json made = op().create_key(keys.id, role).expect(201).json();
            const Response revoked =
                http().del("/admin/keys/" + made["id"].str(), RequestOptions{host().operator_key(), {}, ""});
            EXPECT_EQ(revoked.status, 200) << revoked.describe();
            EXPECT_FALSE(revoked.json()["revoked_at"].is_null()) << revoked.describe();
            all.push_back({std::string("a revoked ") + role + " key", "Bearer " + made["key"].str()});
        }
        return all;
    }
};

TEST_F(BoundariesAccess, EveryNonPublicRouteRefusesRequestsWithoutAValidKey) {
    const std::vector<Credential> credentials = invalid_credentials();
    before_ = state();  // the revoked keys above are not part of what must stay the same
    int refused = 0;
    for (const http::RouteSpec* route : served_routes()) {
        if (route->roles.is_public()) continue;
        const auto request = real_request(*route);
        if (!request) continue;
        for (const Credential& credential : credentials) {
            const Response r = send(*request, credential.authorization);
            EXPECT_TRUE(is_problem(r, 401, "unauthorized")) << route_label(*route) << " with " << credential.label;
            ++refused;
        }
    }
    EXPECT_GT(refused, 0);
    EXPECT_EQ(state(), before_) << "a request without a valid key changed something";
}

TEST_F(BoundariesAccess, PublicRoutesAnswerAnyoneWhateverTheKey) {
    int public_routes = 0;
    for (const http::RouteSpec* route : served_routes()) {
        if (!route->roles.is_public()) continue;
        ++public_routes;
        RawRequest request;
        request.method = std::string(http::method_name(route->method));
        request.target = std::string(route->path);
        for (const std::optional<std::string>& authorization :
             {std::optional<std::string>(), std::optional<std::string>("Bearer not-a-key"),
              std::optional<std::string>("Bearer " + wrong_secret(api().keys().service))}) {
            const Response r = send(request, authorization);
            EXPECT_EQ(r.status, 200) << route_label(*route) << " with " << authorization.value_or("no key") << ": "
                                     << r.describe();
        }
    }
    EXPECT_EQ(public_routes, 4) << "livez, readyz, metrics, openapi.json";
}

// tests/http/openapi_routes_test.cpp holds Api::openapi_document() to the route table; this is
// the document a client of the running host really gets.
TEST_F(BoundariesAccess, OpenApiJsonIsTheDocumentTheRouteTableIsCheckedAgainst) {
    RawRequest request;
    request.method = "GET";
    request.target = "/openapi.json";
    const Response r = send(request, std::nullopt);
    ASSERT_EQ(r.status, 200) << r.describe();
    EXPECT_TRUE(r.body == server::Api::openapi_document()) << "GET /openapi.json is not host/server/openapi.json";
}

// RFC 9110 §11.6.1: "A server generating a 401 (Unauthorized) response MUST send a
// WWW-Authenticate header field containing at least one challenge" (here: Bearer, RFC 6750 §3).
TEST_F(BoundariesAccess, UnauthorizedAnswersCarryABearerChallenge) {
    for (const http::RouteSpec* route : served_routes()) {
        if (route->roles.is_public()) continue;
        const auto request = real_request(*route);
        if (!request) continue;
        const Response r = send(*request, std::nullopt);
        ASSERT_TRUE(is_problem(r, 401, "unauthorized")) << route_label(*route);
        EXPECT_TRUE(r.header("www-authenticate").rfind("Bearer", 0) == 0)
            << route_label(*route) << ": WWW-Authenticate is \"" << r.header("www-authenticate") << "\"";
    }
}

TEST_F(BoundariesAccess, EveryRoleOutsideARoutesRoleSetIsForbidden) {
    int forbidden = 0;
    for (const http::RouteSpec* route : served_routes()) {
        if (route->roles.is_public()) continue;
        for (const Role role : http::all_roles) {
            if (route->roles.contains(role)) continue;
            const auto request = real_request(*route);
            if (!request) continue;
            const Response r = send(*request, "Bearer " + key_of(role));
            EXPECT_TRUE(is_problem(r, 403, "forbidden"))
                << route_label(*route) << " with a " << http::role_name(role) << " key";
            ++forbidden;
        }
    }
    // From the table: the operator on each of the 14 tenant routes, the three tenant roles on
    // each of the 6 /admin routes, and the roles left out of the tenant routes' sets.
    EXPECT_GE(forbidden, 14 + 3 * 6);
    EXPECT_EQ(state(), before_) << "a forbidden request changed something";
}

// The other half of the matrix: a role in the set is not refused for its key. The requests name
// nothing that exists or carry empty bodies, so they change nothing either.
TEST_F(BoundariesAccess, EveryRoleInARoutesRoleSetGetsPastTheKeyCheck) {
    int combinations = 0;
    int non_public = 0;
    for (const http::RouteSpec* route : served_routes()) {
        if (route->roles.is_public()) continue;
        ++non_public;
        for (const Role role : http::all_roles) {
            ++combinations;
            if (!route->roles.contains(role)) continue;
            RawRequest request;
            request.method = std::string(http::method_name(route->method));
            request.target = concrete_path(*route, "nothing_here");
            if (route->method == http::Method::post) {
                request.body = "{}";
                request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", fresh_key()}};
            }
            const Response r = send(request, "Bearer " + key_of(role));
            EXPECT_NE(r.status, 401) << route_label(*route) << " with " << http::role_name(role) << ": "
                                     << r.describe();
            EXPECT_NE(r.status, 403) << route_label(*route) << " with " << http::role_name(role) << ": "
                                     << r.describe();
            EXPECT_LT(r.status, 500) << route_label(*route) << " with " << http::role_name(role) << ": "
                                     << r.describe();
        }
    }
    EXPECT_EQ(combinations, non_public * 4);
    EXPECT_EQ(state(), before_);
}

}  // namespace
}  // namespace billing::integration
