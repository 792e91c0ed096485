#include "billing/http/auth.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "billing/http/api_keys.hpp"
#include "billing/server/api_routes.hpp"

namespace billing::http {
namespace {

class Keys {
public:
    std::string add(Role role, std::string tenant, bool revoked = false) {
        const NewApiKey made = generate_api_key(role).value();
        stored_[made.prefix] = StoredApiKey{"key_" + made.prefix, std::move(tenant), role, made.digest_hex, revoked};
        return made.key;
    }
    StoredApiKey& at(const std::string& key) { return stored_.at(parse_api_key(key)->prefix); }
    [[nodiscard]] ApiKeyLookup lookup() const {
        return [this](std::string_view prefix) -> std::optional<StoredApiKey> {
            const auto found = stored_.find(std::string(prefix));
            return found == stored_.end() ? std::nullopt : std::optional<StoredApiKey>(found->second);
        };
    }

private:
    std::map<std::string, StoredApiKey> stored_;
};

TEST(Auth, BearerTokenParsing) {
    EXPECT_EQ(bearer_token("Bearer abc"), "abc");
    EXPECT_EQ(bearer_token("bearer abc"), "abc");
    EXPECT_EQ(bearer_token("BEARER   abc  "), "abc");
    EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
    EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
    EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
    EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), std::nullopt);
    EXPECT_EQ(bearer_token("Bearer a b"), std::nullopt);
}

TEST(Auth, AValidKeyGivesItsTenantAndRole) {
    Keys keys;
    const std::string key = keys.add(Role::service, "ten_1");
    const Caller caller = authenticate("Bearer " + key, keys.lookup()).value();
    EXPECT_EQ(caller.tenant_id, "ten_1");
    EXPECT_EQ(caller.role, Role::service);
    EXPECT_EQ(caller.key_prefix, parse_api_key(key)->prefix);
    EXPECT_EQ(caller.key_id, "key_" + caller.key_prefix);
}

void expect_401(const Result<Caller>& result, const std::string& message, const std::string& key = "") {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "unauthorized");
    EXPECT_EQ(result.error().message, message);
    if (!key.empty()) {
        EXPECT_EQ(result.error().message.find(key.substr(20)), std::string::npos) << "the secret leaked";
    }
}

TEST(Auth, EveryBadKeyIs401WithoutTheSecret) {
    Keys keys;
    const std::string good = keys.add(Role::service, "ten_1");
    const std::string revoked = keys.add(Role::support, "ten_1", true);
    const std::string retagged = keys.add(Role::support, "ten_1");
    keys.at(retagged).role = Role::admin;  // the tag says sup, the row says admin
    std::string wrong_secret = good;
    wrong_secret.back() = wrong_secret.back() == 'a' ? 'b' : 'a';
    const std::string unknown = generate_api_key(Role::service).value().key;

    expect_401(authenticate("", keys.lookup()), "an Authorization: Bearer <key> header is required");
    expect_401(authenticate("Basic abc", keys.lookup()), "the Authorization header must be Bearer <key>");
    expect_401(authenticate("Bearer hunter2", keys.lookup()), "the key is not an API key of this host");
    for (const std::string& key : {wrong_secret, revoked, retagged, unknown}) {
        expect_401(authenticate("Bearer " + key, keys.lookup()),
                   "the key " + key.substr(0, 20) + "*** is unknown or revoked", key);
    }
}

// The roles each route admits, written out here as the API's contract (DESIGN §6).
const std::map<std::string_view, std::set<Role>>& expected_roles() {
    using enum Role;
    static const std::set<Role> readers{service, support, admin};
    static const std::map<std::string_view, std::set<Role>> table{
        {"health.livez", {}},
        {"health.readyz", {}},
        {"metrics", {}},
        {"openapi", {}},
        {"accounts.create", {service}},
        {"accounts.list", readers},
        {"accounts.get", readers},
        {"accounts.deposit", {service}},
        {"accounts.transfers", readers},
        {"products.list", readers},
        {"orders.create", {service}},
        {"orders.list", readers},
        {"orders.get", readers},
        {"orders.cancel", {service}},
        {"orders.message", {service}},
        {"orders.refund", {support}},
        {"orders.dispute", {service}},
        {"orders.extend", {service}},
        {"orders.events", readers},
        {"disputes.list", readers},
        {"disputes.get", readers},
        {"disputes.resolve", {support}},
        {"reports.delivery", readers},
        {"test_clock.get", readers},
        {"test_clock.advance", {service, admin}},
        {"test_clock.reset", {service, admin}},
        {"admin.tenants.create", {host_operator}},
        {"admin.tenants.list", {host_operator}},
        {"admin.keys.create", {host_operator}},
        {"admin.keys.revoke", {host_operator}},
        {"admin.tenants.rebind", {host_operator}},
        {"admin.plugins.list", {host_operator}},
        {"admin.plugins.reload", {host_operator}},
        {"admin.audit", {host_operator}},
    };
    return table;
}

TEST(Auth, EachRoleAgainstEachRoute) {
    ASSERT_EQ(expected_roles().size(), server::api_routes().size());
    for (const RouteSpec& route : server::api_routes()) {
        const std::set<Role>& allowed = expected_roles().at(route.name);
        for (const Role role : all_roles) {
            const Result<Unit> result = authorize(route, Caller{"k", "p", "t", role});
            const bool admitted = allowed.empty() || allowed.count(role) != 0;
            EXPECT_EQ(result.ok(), admitted) << route.name << " " << role_name(role);
            if (!admitted) {
                EXPECT_EQ(result.error().code, "forbidden") << route.name;
            }
        }
        const Result<Unit> anonymous = authorize(route, std::nullopt);
        EXPECT_EQ(anonymous.ok(), allowed.empty()) << route.name;
        if (!allowed.empty()) {
            EXPECT_EQ(anonymous.error().code, "unauthorized") << route.name;
        }
    }
}

TEST(Auth, ForbiddenNamesTheRoleAndRoute) {
    const RouteMatch m = Router(server::api_routes()).match("POST", "/admin/tenants");
    EXPECT_EQ(authorize(*m.route, Caller{"k", "p", "t", Role::admin}).error().message,
              "a key of role admin may not call POST /admin/tenants");
}

}  // namespace
}  // namespace billing::http
