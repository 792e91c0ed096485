// The conformance kit as GoogleTest cases a plugin's own test instantiates:
//
//     #include <billing/conformance/gtest.hpp>
//
//     #include "my_policy.hpp"
//
//     using billing::conformance::PolicyConformance;  // the macro needs the bare name
//     INSTANTIATE_TEST_SUITE_P(MyPolicy, PolicyConformance,
//         testing::Values(billing::conformance::subject_from_files(
//             "my_policy", billing::conformance::guarded_factory<MyPolicy>(), "my_policy.toml",
//             "conformance/my_policy.declaration.toml")));
//
// Link BillingSDK::conformance_gtest: it compiles the cases (conformance_suite.cpp) into the
// test executable itself, so they are registered however the linker treats static libraries.
// The simulation's seed is BILLING_CONFORMANCE_SEED if set, else a fresh one; the test prints
// it, and setting it replays the run. BILLING_CONFORMANCE_ORDERS sets the order lives (2000).
#pragma once

#include <gtest/gtest.h>

#include <ostream>

#include "billing/conformance/kit.hpp"

namespace billing::conformance {

class PolicyConformance : public testing::TestWithParam<Subject> {
protected:
    // The seed and order count of this run (see above).
    static Options options();
    // Passes, fails with the report, or skips (a check that could not run is never a pass).
    static void expect(const Report& report);
};

inline void PrintTo(const Subject& subject, std::ostream* out) { *out << subject.label; }

}  // namespace billing::conformance
