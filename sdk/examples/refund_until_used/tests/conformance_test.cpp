// refund_until_used through the conformance kit's GoogleTest cases, built against the
// installed SDK (BillingSDK::conformance_gtest). The policy is made directly from its sources,
// wrapped in the same guard BILLING_EXPORT_POLICY puts around it in the .so.
#include <billing/conformance/gtest.hpp>

#include <stdexcept>

#include "policy.hpp"

namespace {

billing::conformance::Subject example_subject() {
    billing::conformance::Subject subject;
    subject.label = "refund_until_used";
    subject.make = billing::conformance::guarded_factory<refund_until_used::RefundUntilUsedPolicy>();
    const auto config = billing::conformance::read_text_file(EXAMPLE_CONFIG);
    const auto declaration = billing::conformance::read_text_file(EXAMPLE_DECLARATION);
    if (!config || !declaration) throw std::runtime_error("cannot read the example's config or declaration");
    subject.config = {*config, EXAMPLE_CONFIG};
    auto parsed = billing::conformance::parse_declaration(*declaration, EXAMPLE_DECLARATION);
    if (!parsed.declaration) throw std::runtime_error(parsed.error);
    subject.declaration = std::move(*parsed.declaration);
    return subject;
}

}  // namespace

namespace billing::conformance {
INSTANTIATE_TEST_SUITE_P(RefundUntilUsed, PolicyConformance, testing::Values(example_subject()));
}  // namespace billing::conformance
