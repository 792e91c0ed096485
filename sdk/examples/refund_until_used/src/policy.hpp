// The refund_until_used policy: a prepaid voucher the customer may cancel for a full refund
// until its first use. A pure decision function: no clock, no I/O, no globals, no randomness.
#pragma once

#include <optional>
#include <string>

#include "billing/sdk/policy.hpp"
#include "config.hpp"

namespace refund_until_used {

class RefundUntilUsedPolicy final : public billing::sdk::Policy {
public:
    [[nodiscard]] billing::sdk::PolicyInfo info() const override;

    // Parses and validates refund_until_used.toml; a refused document leaves the previous
    // configuration in force (config_ is assigned only on success).
    billing::sdk::ConfigResult configure(const std::string& toml_text, const std::string& source_name) override;

    // Prices a purchase from the current configuration and pins price and validity on the
    // order. Refused with not_configured until configure() has succeeded once.
    [[nodiscard]] billing::sdk::Quote quote(const billing::sdk::PurchaseRequest& request,
                                            const billing::sdk::Context& context) const override;

    // Reads only the order (its pinned terms, state and amounts), the event and
    // context.now_ms; never config_. See decide.cpp.
    [[nodiscard]] billing::sdk::Decision decide(const billing::sdk::OrderView& order, const billing::sdk::Event& event,
                                                const billing::sdk::Context& context) const override;

private:
    // Written only by configure(), which the host never calls concurrently with quote() or
    // decide(); those two only read it, so they are safe to call from many threads.
    std::optional<Config> config_;
};

// The decisions (decide.cpp). A free function of its inputs, so a test can call it directly.
[[nodiscard]] billing::sdk::Decision decide_voucher(const billing::sdk::OrderView& order,
                                                    const billing::sdk::Event& event,
                                                    const billing::sdk::Context& context);

}  // namespace refund_until_used
