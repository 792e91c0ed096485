// The fixture of the access and bad-input tests: the test's tenant with a funded account, an
// empty one, an open activation past its first 2 minutes (so a cancel would be allowed) and a
// spare service key; real requests to every route on them; and the state those requests must
// leave as it was when they are refused.
#pragma once

#include <optional>
#include <string>

#include "boundary_support.hpp"
#include "support/host_test.hpp"

namespace billing::integration::boundaries {

class BoundaryTest : public HostTest {
protected:
    void SetUp() override;

    // The tenant's data, the number of tenants, and whether the spare key still works.
    std::string state();

    // The test tenant's key of role (the host's operator key for host_operator).
    [[nodiscard]] std::string key_of(http::Role role);
    // A key whose role the route admits (the first of service, admin, support, operator).
    [[nodiscard]] std::string allowed_key(const http::RouteSpec& route);

    // A request to route that would succeed with an allowed key: the tenant's own ids, a body
    // its handler accepts, Content-Type application/json and a fresh Idempotency-Key on a POST,
    // no Authorization. nullopt, with a test failure, for a route not known here.
    std::optional<RawRequest> real_request(const http::RouteSpec& route);
    // The route's body of real_request ("" for a GET or DELETE).
    std::optional<std::string> real_body(const http::RouteSpec& route);

    // request as it is, with Authorization: Bearer key (none when key is nullopt).
    Response send(RawRequest request, const std::optional<std::string>& authorization);

    TenantData data_;
    std::string spare_key_id_;
    std::string spare_key_;
    std::string before_;  // state() at the end of SetUp
};

}  // namespace billing::integration::boundaries
