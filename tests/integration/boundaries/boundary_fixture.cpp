#include "boundary_fixture.hpp"

namespace billing::integration::boundaries {

void BoundaryTest::SetUp() {
    HostTest::SetUp();
    if (HasFatalFailure()) return;
    data_.accounts = {api().new_account(5000), api().new_account(0)};
    data_.orders = {api().new_activation(data_.accounts[0])};
    api().advance_seconds(121).expect(200);
    // An open dispute on the open activation, for the dispute routes' ids.
    data_.disputes = {
        api().open_dispute(data_.orders[0], R"({"description":"boundary test"})").expect(201).json()["id"].str()};
    const Json spare = op().create_key(api().keys().id, "service").expect(201).json();
    spare_key_id_ = spare["id"].str();
    spare_key_ = spare["key"].str();
    before_ = state();
}

std::string BoundaryTest::state() {
    std::string out = snapshot(api(), data_);
    const Response tenants = http().get("/admin/tenants?limit=100", RequestOptions{host().operator_key(), {}, ""});
    out += "tenants: " + std::to_string(tenants.expect(200).json()["data"].size()) + "\n";
    out += "spare key: " + std::to_string(http().get("/v1/test-clock", RequestOptions{spare_key_, {}, ""}).status);
    return out;
}

std::string BoundaryTest::key_of(http::Role role) {
    switch (role) {
        case http::Role::service: return api().keys().service;
        case http::Role::support: return api().keys().support;
        case http::Role::admin: return api().keys().admin;
        case http::Role::host_operator: return host().operator_key();
    }
    return {};
}

std::string BoundaryTest::allowed_key(const http::RouteSpec& route) {
    for (const http::Role role :
         {http::Role::service, http::Role::admin, http::Role::support, http::Role::host_operator}) {
        if (route.roles.contains(role)) return key_of(role);
    }
    return {};
}

std::optional<std::string> BoundaryTest::real_body(const http::RouteSpec& route) {
    if (route.method != http::Method::post) return std::string();
    const std::string name(route.name);
    if (name == "accounts.create") return R"({"external_ref":"refused-)" + fresh_key() + "\"}";
    if (name == "accounts.deposit") return R"({"amount_minor":100})";
    if (name == "orders.create") {
        return R"({"account_id":")" + data_.accounts[0] +
               R"(","product":"activation","attributes":{"service":"telegram","country":"us"}})";
    }
    if (name == "orders.cancel") return "{}";
    if (name == "orders.message") return R"({"service":"telegram"})";
    if (name == "orders.refund") return R"({"reason":"provider_error","amount_minor":1})";
    if (name == "orders.extend") return R"({"hours":1})";
    if (name == "orders.dispute") return R"({"description":"no code came"})";
    if (name == "disputes.resolve") return R"({"resolution":"reject"})";
    if (name == "test_clock.advance") return R"({"seconds":60})";
    if (name == "admin.tenants.create")
        return R"({"name":"refused","currency":"USD","policy":"otpdesk","test_mode":true})";
    if (name == "admin.keys.create") return R"({"role":"service"})";
    if (name == "admin.tenants.rebind") return R"({"policy":"otpdesk"})";
    if (name == "admin.plugins.reload") return "{}";
    ADD_FAILURE() << route_label(route) << ": no body for it written here";
    return std::nullopt;
}

std::optional<RawRequest> BoundaryTest::real_request(const http::RouteSpec& route) {
    const std::string path(route.path);
    std::string id;
    if (path.find('{') != std::string::npos) {
        if (path.rfind("/v1/accounts/", 0) == 0) id = data_.accounts[0];
        if (path.rfind("/v1/orders/", 0) == 0) id = data_.orders[0];
        if (path.rfind("/v1/disputes/", 0) == 0) id = data_.disputes[0];
        if (path.rfind("/admin/tenants/", 0) == 0) id = api().keys().id;
        if (path.rfind("/admin/keys/", 0) == 0) id = spare_key_id_;
        if (path.rfind("/admin/plugins/", 0) == 0) id = "otpdesk";
        if (id.empty()) {
            ADD_FAILURE() << route_label(route) << ": no id for its path written here";
            return std::nullopt;
        }
    }
    const auto body = real_body(route);
    if (!body) return std::nullopt;
    RawRequest request;
    request.method = std::string(http::method_name(route.method));
    request.target = concrete_path(route, id);
    if (route.method == http::Method::post) {
        request.body = *body;
        request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", fresh_key()}};
    }
    return request;
}

Response BoundaryTest::send(RawRequest request, const std::optional<std::string>& authorization) {
    if (authorization) request.headers.emplace_back("Authorization", *authorization);
    return send_raw(host().port(), request);
}

}  // namespace billing::integration::boundaries
