// Tenant isolation over real HTTP (DESIGN §6: the tenant always comes from the key; another
// tenant's id gets 404). Tenant A (the test's own) calls with its keys and tenant B's ids: every
// id route of the route table, ids in bodies, list cursors and filters, and Idempotency-Keys B
// used. Each answer must be exactly the answer for an id that exists nowhere, must hold none of
// B's data, and B must read exactly the same before and after.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "boundary_support.hpp"
#include "support/host_test.hpp"

namespace billing::integration {
namespace {

using boundaries::concrete_path;
using boundaries::first_found;
using boundaries::is_problem;
using boundaries::route_label;
using boundaries::served_routes;
using boundaries::snapshot;
using boundaries::TenantData;
using http::Role;

// Three accounts (two funded), and orders in every kind of state: an activation cancelled by
// the customer, one that received a code, an open one and an open rental.
TenantData populate(TenantApi& t, const std::string& tag) {
    TenantData d;
    for (const char* who : {"alice", "bob", "carol"}) d.external_refs.push_back(tag + "-" + who + "-" + fresh_key());
    d.accounts.push_back(t.new_account(10000, d.external_refs[0]));
    d.accounts.push_back(t.new_account(3000, d.external_refs[1]));
    d.accounts.push_back(t.new_account(0, d.external_refs[2]));
    const std::string cancelled = t.new_activation(d.accounts[0], "telegram", "us");
    const std::string coded = t.new_activation(d.accounts[0], "whatsapp", "us");
    const std::string open = t.new_activation(d.accounts[1], "telegram", "gb");
    const std::string rental = t.new_rental(d.accounts[1], 24);
    t.advance_seconds(121).expect(200);  // past the 2 minutes before which no cancel is allowed
    t.cancel(cancelled).expect(200);
    t.message(coded, "whatsapp").expect(200);
    d.orders = {cancelled, coded, open, rental};
    d.disputes = {t.open_dispute(coded, R"({"description":"the code did not work"})").expect(201).json()["id"].str()};
    for (const std::string& account : d.accounts) {
        const Json list = t.transfers(account).expect(200).json()["data"];
        for (std::size_t i = 0; i < list.size(); ++i) d.transfers.push_back(list[i]["id"].str());
    }
    return d;
}

// B's ids, refs, keys and tenant id: none may appear in an answer to A.
std::vector<std::string> secrets_of(const TenantApi& t, const TenantData& d) {
    std::vector<std::string> all{t.keys().id, t.keys().service, t.keys().support, t.keys().admin};
    for (const auto* list : {&d.accounts, &d.external_refs, &d.orders, &d.transfers, &d.disputes}) {
        all.insert(all.end(), list->begin(), list->end());
    }
    return all;
}

// An id of the same shape that names nothing in any tenant.
std::string nowhere(const std::string& id) { return id + "x"; }

class BoundariesIsolation : public HostTest {
protected:
    void SetUp() override {
        HostTest::SetUp();
        if (HasFatalFailure()) return;
        b_ = std::make_unique<TenantApi>(http(), new_tenant("tenant B"));
        b_data_ = populate(*b_, "b");
        a_data_ = populate(api(), "a");
        b_before_ = snapshot(*b_, b_data_);
        a_before_ = snapshot(api(), a_data_);
    }

    // A's key of role.
    [[nodiscard]] std::string a_key(Role role) {
        switch (role) {
            case Role::service: return api().keys().service;
            case Role::support: return api().keys().support;
            case Role::admin: return api().keys().admin;
            case Role::host_operator: break;
        }
        return {};
    }

    Response send(const std::string& method, const std::string& target, const std::string& body, Role role) {
        const RequestOptions options{a_key(role),
                                     method == "POST" ? std::optional<std::string>(fresh_key()) : std::nullopt, ""};
        return http().send(method, target, method == "POST" ? std::optional<std::string>(body) : std::nullopt, options);
    }

    // The body without its request_id member, which is each answer's own X-Request-Id (and must be).
    static std::string without_own_request_id(const Response& response) {
        const std::string member = ",\"request_id\":\"" + response.header("x-request-id") + "\"";
        std::string body = response.body;
        const auto at = body.find(member);
        EXPECT_TRUE(response.status < 400 || at != std::string::npos) << "no request_id in " << response.describe();
        if (at != std::string::npos) body.erase(at, member.size());
        return body;
    }

    // probe is A's request naming B's thing; twin the same request naming nothing. Both must get
    // the same answer, holding nothing of B's.
    void expect_same_as_nowhere(const Response& probe, const Response& twin, const std::string& what) {
        EXPECT_EQ(probe.status, twin.status) << what << "\n  " << probe.describe() << "\n  " << twin.describe();
        EXPECT_EQ(without_own_request_id(probe), without_own_request_id(twin)) << what;
        EXPECT_EQ(first_found(probe.body, secrets_of(*b_, b_data_)), "") << what << ": " << probe.describe();
    }

    // B reads exactly as before; so does A, unless the test changed A on purpose.
    void expect_b_unchanged() { EXPECT_EQ(snapshot(*b_, b_data_), b_before_) << "tenant B changed"; }

    std::unique_ptr<TenantApi> b_;
    TenantData a_data_;
    TenantData b_data_;
    std::string a_before_;
    std::string b_before_;
};

// The body a POST route needs to succeed on an id of A's own; an unknown route fails the test
// so that a new id route is not left out silently.
std::optional<std::string> valid_body(const http::RouteSpec& route) {
    if (route.method != http::Method::post) return std::string();
    if (route.name == "accounts.deposit") return R"({"amount_minor":100})";
    if (route.name == "orders.cancel") return "{}";
    if (route.name == "orders.message") return R"({"service":"telegram"})";
    if (route.name == "orders.refund") return R"({"reason":"provider_error","amount_minor":1})";
    if (route.name == "orders.extend") return R"({"hours":1})";
    if (route.name == "orders.dispute") return R"({"description":"no code came"})";
    if (route.name == "disputes.resolve") return R"({"resolution":"reject"})";
    return std::nullopt;
}

TEST_F(BoundariesIsolation, EveryIdRouteAnswersAnotherTenantsIdsAs404AndChangesNothing) {
    int probes = 0;
    for (const http::RouteSpec* route : served_routes()) {
        const std::string path(route->path);
        if (route->roles.is_public() || route->roles.contains(Role::host_operator) ||
            path.find('{') == std::string::npos) {
            continue;  // only a tenant's routes that name one of its things
        }
        const bool accounts = path.rfind("/v1/accounts/", 0) == 0;
        const bool orders = path.rfind("/v1/orders/", 0) == 0;
        const bool disputes = path.rfind("/v1/disputes/", 0) == 0;
        ASSERT_TRUE(accounts || orders || disputes) << route_label(*route) << ": which of B's ids goes in its path?";
        const auto body = valid_body(*route);
        ASSERT_TRUE(body) << route_label(*route) << ": no body written for it here";
        const std::string code = accounts ? "account_not_found" : orders ? "order_not_found" : "dispute_not_found";
        const std::vector<std::string>& ids = accounts ? b_data_.accounts : orders ? b_data_.orders : b_data_.disputes;
        for (const Role role : {Role::service, Role::support, Role::admin}) {
            if (!route->roles.contains(role)) continue;
            for (const std::string& id : ids) {
                const std::string method(http::method_name(route->method));
                const Response probe = send(method, concrete_path(*route, id), *body, role);
                const Response twin = send(method, concrete_path(*route, nowhere(id)), *body, role);
                const std::string what =
                    route_label(*route) + " with A's " + std::string(http::role_name(role)) + " key and B's " + id;
                EXPECT_TRUE(is_problem(probe, 404, code)) << what;
                expect_same_as_nowhere(probe, twin, what);
                ++probes;
            }
        }
    }
    EXPECT_GE(probes, 7 * 3) << "every id route, with each of B's ids";
    expect_b_unchanged();
    EXPECT_EQ(snapshot(api(), a_data_), a_before_) << "A's requests named only B's ids";
}

TEST_F(BoundariesIsolation, AnotherTenantsAccountInAPurchaseIs404AndChargesNoOne) {
    for (const std::string& account : b_data_.accounts) {
        const Response activation = api().buy_activation(account);
        EXPECT_TRUE(is_problem(activation, 404, "account_not_found")) << "B's account " << account;
        expect_same_as_nowhere(activation, api().buy_activation(nowhere(account)), "activation on " + account);
        const Response rental = api().buy_rental(account, 24);
        EXPECT_TRUE(is_problem(rental, 404, "account_not_found")) << "B's account " << account;
        expect_same_as_nowhere(rental, api().buy_rental(nowhere(account), 24), "rental on " + account);
    }
    expect_b_unchanged();
    EXPECT_EQ(snapshot(api(), a_data_), a_before_);
}

TEST_F(BoundariesIsolation, AnotherTenantsIdsAsListCursorsAre404) {
    std::vector<std::string> b_events;
    for (const std::string& order : b_data_.orders) {
        const Json events = b_->events(order).expect(200).json()["data"];
        for (std::size_t i = 0; i < events.size(); ++i) b_events.push_back(events[i]["id"].str());
    }
    ASSERT_GE(b_events.size(), b_data_.orders.size() + 2) << "a purchase each, a cancel and a code";
    for (const Role role : {Role::service, Role::support, Role::admin}) {
        const RequestOptions as_a{a_key(role), std::nullopt, ""};
        auto check = [&](const std::string& target, const std::string& twin_target) {
            const Response probe = http().get(target, as_a);
            EXPECT_TRUE(is_problem(probe, 404, "cursor_not_found")) << std::string(http::role_name(role));
            expect_same_as_nowhere(probe, http().get(twin_target, as_a), target);
        };
        for (const std::string& id : b_data_.accounts) {
            check("/v1/accounts?starting_after=" + id, "/v1/accounts?starting_after=" + nowhere(id));
        }
        for (const std::string& id : b_data_.orders) {
            check("/v1/orders?starting_after=" + id, "/v1/orders?starting_after=" + nowhere(id));
        }
        // Through one of A's own accounts, with B's transfers as the cursor.
        const std::string own = "/v1/accounts/" + a_data_.accounts[0] + "/transfers?starting_after=";
        for (const std::string& id : b_data_.transfers) check(own + id, own + nowhere(id));
        // Through one of A's own orders, with B's events as the cursor.
        const std::string own_events = "/v1/orders/" + a_data_.orders[1] + "/events?starting_after=";
        for (const std::string& id : b_events) check(own_events + id, own_events + nowhere(id));
    }
    expect_b_unchanged();
}

// A filter that names B's thing finds nothing, exactly as a filter naming nothing does: an
// empty list, not B's records (and not a 404 that would tell B's refs from unused ones).
TEST_F(BoundariesIsolation, AnotherTenantsRefsAndAccountsAsListFiltersFindNothing) {
    for (const Role role : {Role::service, Role::support, Role::admin}) {
        const RequestOptions as_a{a_key(role), std::nullopt, ""};
        auto check = [&](const std::string& target, const std::string& twin_target) {
            const Response probe = http().get(target, as_a);
            ASSERT_EQ(probe.status, 200) << probe.describe();
            EXPECT_EQ(probe.json()["data"].size(), 0U) << probe.describe();
            expect_same_as_nowhere(probe, http().get(twin_target, as_a), target);
        };
        for (const std::string& ref : b_data_.external_refs) {
            check("/v1/accounts?external_ref=" + ref, "/v1/accounts?external_ref=" + nowhere(ref));
        }
        for (const std::string& id : b_data_.accounts) {
            check("/v1/orders?account_id=" + id, "/v1/orders?account_id=" + nowhere(id));
            for (const char* state : {"cancelled", "active", "delivered"}) {
                check("/v1/orders?account_id=" + id + "&state=" + state,
                      "/v1/orders?account_id=" + nowhere(id) + "&state=" + state);
            }
        }
    }
    // A's own filters still find A's own records.
    const Response own = http().get("/v1/accounts?external_ref=" + a_data_.external_refs[0],
                                    RequestOptions{api().keys().support, std::nullopt, ""});
    ASSERT_EQ(own.status, 200) << own.describe();
    ASSERT_EQ(own.json()["data"].size(), 1U) << own.describe();
    EXPECT_EQ(own.json()["data"][std::size_t{0}]["id"].str(), a_data_.accounts[0]);
    expect_b_unchanged();
}

// Idempotency-Keys are per tenant: B's stored answers are never replayed to A, whether A sends
// B's key for its own request or for the very request B sent.
TEST_F(BoundariesIsolation, IdempotencyKeysAreTheTenantsOwn) {
    const std::string deposit_key = fresh_key();
    const std::string cancel_key = fresh_key();
    const std::string b_account = b_data_.accounts[1];
    const std::string b_order = b_data_.orders[2];  // B's open activation, past its 2 minutes
    b_->deposit(b_account, 250, deposit_key).expect(200);
    b_->cancel(b_order, cancel_key).expect(200);
    b_before_ = snapshot(*b_, b_data_);

    // The very requests B sent (same path, body and key), with A's key: 404, no replay.
    const RequestOptions as_a_deposit{api().keys().service, deposit_key, ""};
    const Response deposit =
        http().post("/v1/accounts/" + b_account + "/deposits", R"({"amount_minor":250})", as_a_deposit);
    EXPECT_TRUE(is_problem(deposit, 404, "account_not_found"));
    EXPECT_FALSE(deposit.has_header("idempotent-replayed")) << deposit.describe();
    EXPECT_EQ(first_found(deposit.body, secrets_of(*b_, b_data_)), "") << deposit.describe();
    const RequestOptions as_a_cancel{api().keys().service, cancel_key, ""};
    const Response cancel = http().post("/v1/orders/" + b_order + "/cancel", "{}", as_a_cancel);
    EXPECT_TRUE(is_problem(cancel, 404, "order_not_found"));
    EXPECT_FALSE(cancel.has_header("idempotent-replayed")) << cancel.describe();
    EXPECT_EQ(first_found(cancel.body, secrets_of(*b_, b_data_)), "") << cancel.describe();

    // B's keys on A's own requests: A's requests run, as new ones.
    const std::string a_account = a_data_.accounts[1];
    const std::int64_t a_balance = api().balance(a_account);
    const Response own_deposit = api().deposit(a_account, 250, deposit_key);
    ASSERT_EQ(own_deposit.status, 200) << own_deposit.describe();
    EXPECT_FALSE(own_deposit.has_header("idempotent-replayed")) << own_deposit.describe();
    EXPECT_EQ(own_deposit.json()["id"].str(), a_account);
    EXPECT_EQ(api().balance(a_account), a_balance + 250);
    const Response own_cancel = api().cancel(a_data_.orders[2], cancel_key);
    ASSERT_EQ(own_cancel.status, 200) << own_cancel.describe();
    EXPECT_FALSE(own_cancel.has_header("idempotent-replayed")) << own_cancel.describe();
    EXPECT_EQ(own_cancel.json()["id"].str(), a_data_.orders[2]);
    EXPECT_EQ(first_found(own_cancel.body, secrets_of(*b_, b_data_)), "") << own_cancel.describe();

    expect_b_unchanged();
}

}  // namespace
}  // namespace billing::integration
