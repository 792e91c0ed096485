// The kit's checks as GoogleTest cases (gtest.hpp). Compiled into each test executable that
// links BillingSDK::conformance_gtest.
#include <cstdlib>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>

#include "billing/conformance/gtest.hpp"

namespace billing::conformance {

namespace {

std::uint64_t seed_from_environment() {
    if (const char* text = std::getenv("BILLING_CONFORMANCE_SEED"); text != nullptr && *text != '\0') {
        return std::stoull(text);
    }
    std::random_device entropy;
    return (std::uint64_t{entropy()} << 32) | entropy();
}

}  // namespace

Options PolicyConformance::options() {
    // One seed per test program run, so that every case of a run reports the same one.
    static const std::uint64_t seed = seed_from_environment();
    Options options;
    options.seed = seed;
    if (const char* text = std::getenv("BILLING_CONFORMANCE_ORDERS"); text != nullptr && *text != '\0') {
        options.orders = std::stoll(text);
        if (options.orders <= 0) throw std::invalid_argument("BILLING_CONFORMANCE_ORDERS must be at least 1");
    }
    return options;
}

void PolicyConformance::expect(const Report& report) {
    if (!report.passed()) {
        ADD_FAILURE() << report.text();
        return;
    }
    if (!report.skipped.empty()) {
        GTEST_SKIP() << report.text();
    }
    std::cout << report.text();
}

TEST_P(PolicyConformance, Identity) { expect(check_identity(GetParam())); }
TEST_P(PolicyConformance, ConfigureRefusesGarbage) { expect(check_configure(GetParam())); }
TEST_P(PolicyConformance, Quotes) { expect(check_quotes(GetParam())); }
TEST_P(PolicyConformance, EveryEventInEveryReachableState) { expect(check_reachable(GetParam())); }
TEST_P(PolicyConformance, Determinism) { expect(check_determinism(GetParam())); }
TEST_P(PolicyConformance, TermsPinnedAcrossReconfiguration) { expect(check_terms_pinned(GetParam())); }
TEST_P(PolicyConformance, Robustness) { expect(check_robustness(GetParam())); }
TEST_P(PolicyConformance, ExtremesWithinTheHostsBounds) { expect(check_extremes(GetParam())); }
TEST_P(PolicyConformance, Simulation) {
    const Options run = options();
    std::cout << "simulation seed " << run.seed << " (replay: BILLING_CONFORMANCE_SEED=" << run.seed << ")\n";
    expect(simulate(GetParam(), run));
}

// A suite no plugin instantiated is a mistake in that plugin's test, not in this file.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PolicyConformance);

}  // namespace billing::conformance
