// The plugin's one exported symbol: the descriptor the host reads before it calls anything.
// BILLING_EXPORT_POLICY also wraps the policy in the SDK's GuardedPolicy, so no exception
// thrown in here ever crosses into the host.
#include "billing/sdk/export.hpp"
#include "names.hpp"
#include "policy.hpp"

BILLING_EXPORT_POLICY(refund_until_used::RefundUntilUsedPolicy, refund_until_used::policy_name,
                      refund_until_used::policy_version);
