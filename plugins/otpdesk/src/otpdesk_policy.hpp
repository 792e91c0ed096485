// The OTPDesk policy: activations and rentals of virtual numbers for one-time codes.
// A pure decision function (DESIGN §3): no clock, no I/O, no globals, no randomness.
#pragma once

#include <optional>
#include <string>

#include "billing/sdk/policy.hpp"
#include "config.hpp"

namespace otpdesk {

class OtpDeskPolicy final : public billing::sdk::Policy {
public:
    [[nodiscard]] billing::sdk::PolicyInfo info() const override;

    // Parses and validates config/otpdesk.toml; a refused document leaves the previous
    // configuration in force.
    billing::sdk::ConfigResult configure(const std::string& toml_text, const std::string& source_name) override;

    // Refused with not_configured until configure() has succeeded once.
    [[nodiscard]] billing::sdk::Quote quote(const billing::sdk::PurchaseRequest& request,
                                            const billing::sdk::Context& context) const override;

    // Reads only the order (its pinned terms), the event and the context; of the configuration
    // only the case rules (support refund reasons, the dispute evidence threshold), which are the
    // tenant's current support process rather than terms sold with the order.
    [[nodiscard]] billing::sdk::Decision decide(const billing::sdk::OrderView& order, const billing::sdk::Event& event,
                                                const billing::sdk::Context& context) const override;

private:
    std::optional<Config> config_;
};

// PolicyInfo of this version (policy_info.cpp).
[[nodiscard]] billing::sdk::PolicyInfo otpdesk_policy_info();

}  // namespace otpdesk
