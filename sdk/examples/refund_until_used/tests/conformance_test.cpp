// refund_until_used through the conformance kit's GoogleTest cases, built against the
// installed SDK (BillingSDK::conformance_gtest). The policy is made directly from its sources,
// wrapped in the same guard BILLING_EXPORT_POLICY puts around it in the .so.
#include <billing/conformance/gtest.hpp>

#include "policy.hpp"

namespace billing::conformance {
INSTANTIATE_TEST_SUITE_P(RefundUntilUsed, PolicyConformance,
                         testing::Values(subject_from_files("refund_until_used",
                                                            guarded_factory<refund_until_used::RefundUntilUsedPolicy>(),
                                                            EXAMPLE_CONFIG, EXAMPLE_DECLARATION)));
}  // namespace billing::conformance
