#include "support/host_test.hpp"

namespace billing::integration {

std::unique_ptr<HostProcess> HostTest::host_;
std::string HostTest::start_error_;

void HostTest::SetUpTestSuite() {
    start_error_.clear();
    try {
        host_ = HostProcess::start();
    } catch (const std::exception& e) {
        host_.reset();
        // Not ADD_FAILURE here: a failure in SetUpTestSuite makes GoogleTest report the suite's
        // tests as SKIPPED, which ctest counts as passed. Each test fails in SetUp instead.
        start_error_ = e.what();
    }
}

void HostTest::TearDownTestSuite() {
    if (!host_) return;
    expect_clean_stop_and_audit(*host_);
    host_.reset();
}

void HostTest::SetUp() {
    ASSERT_TRUE(start_error_.empty()) << "the host did not start: " << start_error_;
    ASSERT_TRUE(host_ && host_->running()) << "no host is running for this suite";
    http_ = std::make_unique<HttpClient>("127.0.0.1", host_->port());
    operator_ = std::make_unique<OperatorApi>(*http_, host_->operator_key());
    api_ = std::make_unique<TenantApi>(
        *http_, operator_->new_tenant(::testing::UnitTest::GetInstance()->current_test_info()->name()));
}

void HostTest::TearDown() {
    if (!operator_ || !host_ || !host_->running()) return;
    try {
        operator_->require_audit_clean();
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
}

void expect_clean_stop_and_audit(HostProcess& host) {
    if (host.running()) {
        EXPECT_EQ(host.stop(), "exit 0") << "stdout tail:\n"
                                         << host.stdout_text().substr(
                                                host.stdout_text().size() > 2000 ? host.stdout_text().size() - 2000 : 0)
                                         << "\nstderr:\n"
                                         << host.stderr_text();
    }
    expect_offline_audit_clean(host);
}

void expect_offline_audit_clean(const HostProcess& host) {
    const CommandResult audit = host.run_command("audit");
    EXPECT_EQ(audit.exit, "exit 0") << audit.output;
    EXPECT_NE(audit.output.find("audit ok"), std::string::npos) << audit.output;
}

}  // namespace billing::integration
