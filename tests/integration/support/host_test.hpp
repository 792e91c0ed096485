// The fixture of most integration tests: one billing-host per test suite (started in
// SetUpTestSuite, about 0.2 s), a tenant of its own for every test, and the checks every test
// ends with: GET /admin/audit clean after each test; after the suite, SIGTERM gives exit 0 and
// `billing-host audit` on the database exits 0.
//
// ctest runs each test in a process of its own, so there each test gets its own host; running a
// test binary directly shares one host between the tests of a suite, which is why every test
// works in a tenant of its own and asserts nothing about other tenants.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/billing_api.hpp"
#include "support/host_process.hpp"
#include "support/http_client.hpp"

namespace billing::integration {

class HostTest : public ::testing::Test {
public:
    static void SetUpTestSuite();
    static void TearDownTestSuite();

protected:
    void SetUp() override;
    void TearDown() override;

    static HostProcess& host() { return *host_; }
    // A client for the test's own thread, and the test's tenant and operator on it.
    HttpClient& http() { return *http_; }
    TenantApi& api() { return *api_; }
    OperatorApi& op() { return *operator_; }
    // Another tenant on the shared host (for isolation tests).
    TenantKeys new_tenant(const std::string& name = "another tenant") { return operator_->new_tenant(name); }

private:
    static std::unique_ptr<HostProcess> host_;
    static std::string start_error_;  // why host_ did not start (SetUp fails every test with it)
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<OperatorApi> operator_;
    std::unique_ptr<TenantApi> api_;
};

// The checks at a host's end: SIGTERM gives exit 0 within the deadline, and the offline audit
// of its database is clean (exit 0). Non-fatal gtest failures with the host's output.
void expect_clean_stop_and_audit(HostProcess& host);
// The offline audit alone (the host must be stopped).
void expect_offline_audit_clean(const HostProcess& host);

}  // namespace billing::integration
