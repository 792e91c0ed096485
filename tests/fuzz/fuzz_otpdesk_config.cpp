// OTPDesk's own TOML config: configure() on a policy already configured with the shipped
// config/otpdesk.toml, then on arbitrary text. A refusal names file:line:col on every line, in
// document order, and leaves the previous configuration in force (the same quotes as before).
// Under an accepted text no test purchase is refused as not_configured or invalid_time (every
// window's end is representable) or priced below 0, and the text written out again by toml++
// configures a fresh policy that quotes exactly the same (parse -> serialise -> parse).
#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "otpdesk_policy.hpp"

namespace {

using billing::sdk::Context;
using billing::sdk::PurchaseRequest;
using billing::sdk::Quote;

const std::string source = "otpdesk.toml";

std::vector<PurchaseRequest> purchases() {
    std::vector<PurchaseRequest> out;
    for (const char* service : {"telegram", "whatsapp", "other"}) {
        for (const char* country : {"us", "gb", "de"}) {
            out.push_back(PurchaseRequest{"activation", {{"service", service}, {"country", country}}, {}});
        }
    }
    for (const std::int64_t hours : {1, 24, 25, 48, 1344, 87'600}) {
        out.push_back(PurchaseRequest{"rental", {}, {{"duration_hours", hours}}});
    }
    return out;
}

std::vector<Quote> quotes(const otpdesk::OtpDeskPolicy& policy) {
    // A purchase time well inside the range, so that every window's end is representable.
    const Context context{.now_ms = 1'700'000'000'000};
    std::vector<Quote> out;
    for (const PurchaseRequest& request : purchases()) out.push_back(policy.quote(request, context));
    return out;
}

std::string shipped_config() {
    std::ifstream in(OTPDESK_SHIPPED_CONFIG);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    FUZZ_CHECK(!text.empty(), "cannot read " OTPDESK_SHIPPED_CONFIG);
    return text;
}

struct Shipped {
    otpdesk::OtpDeskPolicy policy;
    std::vector<Quote> quotes;
};

const Shipped& shipped() {
    static const Shipped made = [] {
        Shipped s;
        const auto result = s.policy.configure(shipped_config(), source);
        FUZZ_CHECK(result.ok, "the shipped config is refused: " + result.message);
        s.quotes = quotes(s.policy);
        return s;
    }();
    return made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    otpdesk::OtpDeskPolicy policy = shipped().policy;
    const auto result = policy.configure(text, source);
    if (!result.ok) {
        const std::string problem = billing::fuzz::located_lines_problem(
            result.message, source, billing::fuzz::toml_line_count(text), /*more_line_allowed=*/true);
        FUZZ_CHECK(problem.empty(), problem + "\nmessage:\n" + result.message);
        FUZZ_CHECK(quotes(policy) == shipped().quotes, "a refused config changed the quotes");
        return 0;
    }
    const std::vector<Quote> accepted = quotes(policy);
    for (const Quote& quote : accepted) {
        FUZZ_CHECK(quote.code != "not_configured" && quote.code != "invalid_time" && quote.price_minor >= 0,
                   quote.code + ": " + quote.message + ", price " + std::to_string(quote.price_minor));
    }

    std::ostringstream again;
    again << toml::toml_formatter{toml::parse(text, source)};
    otpdesk::OtpDeskPolicy fresh;
    const auto reconfigured = fresh.configure(again.str(), source);
    FUZZ_CHECK(reconfigured.ok, "written again as\n" + again.str() + "\nit is refused:\n" + reconfigured.message);
    FUZZ_CHECK(quotes(fresh) == accepted, "written again as\n" + again.str() + "\nit quotes differently");
    return 0;
}
