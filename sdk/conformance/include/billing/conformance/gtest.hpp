// The conformance kit as GoogleTest cases a plugin's own test instantiates:
//
//     #include <billing/conformance/gtest.hpp>
//
//     billing::conformance::Subject my_policy() {
//         billing::conformance::Subject s;
//         s.label = "mypolicy";
//         s.make = billing::conformance::guarded_factory<MyPolicy>();
//         s.config = {*billing::conformance::read_text_file(path), path};
//         s.declaration = ...;  // parse_declaration(...) of the plugin's declaration file
//         return s;
//     }
//     using billing::conformance::PolicyConformance;  // the macro needs the bare name
//     INSTANTIATE_TEST_SUITE_P(MyPolicy, PolicyConformance, testing::Values(my_policy()));
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
