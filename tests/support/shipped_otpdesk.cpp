#include "shipped_otpdesk.hpp"

#include <fstream>
#include <sstream>

namespace billing::test {

Result<std::shared_ptr<const plugin::PolicyInstance>> load_shipped_otpdesk() {
    std::ifstream file(BILLING_OTPDESK_CONFIG);
    if (!file) {
        return Error{"config_unreadable", std::string("cannot read ") + BILLING_OTPDESK_CONFIG};
    }
    std::stringstream text;
    text << file.rdbuf();
    return plugin::load_policy(BILLING_OTPDESK_PLUGIN, text.str(), BILLING_OTPDESK_CONFIG);
}

}  // namespace billing::test
