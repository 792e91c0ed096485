// The plugin's one exported symbol: the descriptor the host reads before anything else.
// Only the .so has it; unit tests create OtpDeskPolicy directly.
#include "billing/sdk/export.hpp"
#include "names.hpp"
#include "otpdesk_policy.hpp"

BILLING_EXPORT_POLICY(otpdesk::OtpDeskPolicy, otpdesk::policy_name, otpdesk::policy_version);
