// OTPDesk through the conformance kit's GoogleTest cases (billing/conformance/gtest.hpp), built
// from the plugin's sources like the other unit tests here. The runner does the same on the
// built otpdesk.so (ctest conformance.otpdesk); this is the path a plugin author's own test takes.
#include <billing/conformance/gtest.hpp>

#include <stdexcept>

#include "otpdesk_policy.hpp"

namespace {

billing::conformance::Subject otpdesk_subject() {
    billing::conformance::Subject subject;
    subject.label = "otpdesk";
    subject.make = billing::conformance::guarded_factory<otpdesk::OtpDeskPolicy>();
    const auto config = billing::conformance::read_text_file(OTPDESK_SHIPPED_CONFIG);
    const auto declaration = billing::conformance::read_text_file(OTPDESK_DECLARATION);
    if (!config || !declaration) throw std::runtime_error("cannot read OTPDesk's config or declaration");
    subject.config = {*config, OTPDESK_SHIPPED_CONFIG};
    auto parsed = billing::conformance::parse_declaration(*declaration, OTPDESK_DECLARATION);
    if (!parsed.declaration) throw std::runtime_error(parsed.error);
    subject.declaration = std::move(*parsed.declaration);
    return subject;
}

}  // namespace

namespace billing::conformance {
INSTANTIATE_TEST_SUITE_P(OtpDesk, PolicyConformance, testing::Values(otpdesk_subject()));
}  // namespace billing::conformance
