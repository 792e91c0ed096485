// OTPDesk through the conformance kit's GoogleTest cases (billing/conformance/gtest.hpp), built
// from the plugin's sources like the other unit tests here. The runner does the same on the
// built otpdesk.so (ctest conformance.otpdesk); this is the path a plugin author's own test takes.
#include <billing/conformance/gtest.hpp>

#include "otpdesk_policy.hpp"

namespace billing::conformance {
INSTANTIATE_TEST_SUITE_P(OtpDesk, PolicyConformance,
                         testing::Values(subject_from_files("otpdesk", guarded_factory<otpdesk::OtpDeskPolicy>(),
                                                            OTPDESK_SHIPPED_CONFIG, OTPDESK_DECLARATION)));
}  // namespace billing::conformance
