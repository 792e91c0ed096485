// RFC 3339 times: whatever text parses is inside the formattable range, formats back to text
// that parses to the same instant, and a canonical text formats back to itself; any two instants
// compare as formatted texts as they do as numbers (the API's promise, rfc3339.hpp).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "billing/http/rfc3339.hpp"
#include "fuzz_check.hpp"

namespace {

using billing::UtcMs;
using billing::http::format_rfc3339_utc;
using billing::http::parse_rfc3339_utc;

constexpr UtcMs first_ms = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr UtcMs last_ms = 253402300799999;   // 9999-12-31T23:59:59.999Z

// The form format_rfc3339_utc writes: 24 characters, upper-case T and Z, three fraction digits.
bool canonical(const std::string& text) {
    return text.size() == 24 && text[10] == 'T' && text[19] == '.' && text[23] == 'Z';
}

void check_text(const std::string& text) {
    const auto parsed = parse_rfc3339_utc(text);
    if (!parsed) return;
    FUZZ_CHECK(*parsed >= first_ms && *parsed <= last_ms, "parsed " + text + " to " + std::to_string(*parsed));
    const std::string formatted = format_rfc3339_utc(*parsed);
    FUZZ_CHECK(parse_rfc3339_utc(formatted) == parsed, text + " -> " + formatted + " parses to another instant");
    if (canonical(text)) {
        FUZZ_CHECK(formatted == text, text + " formats back as " + formatted);
    }
}

void check_order(UtcMs a, UtcMs b) {
    const std::string text_a = format_rfc3339_utc(a);
    const std::string text_b = format_rfc3339_utc(b);
    FUZZ_CHECK((text_a < text_b) == (a < b) && (text_a == text_b) == (a == b),
               std::to_string(a) + " -> " + text_a + ", " + std::to_string(b) + " -> " + text_b);
    FUZZ_CHECK(parse_rfc3339_utc(text_a) == a, text_a + " does not parse back to " + std::to_string(a));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The whole input as text first, so that the seeds are plain times; then, when there is
    // enough of it, two instants from its last bytes.
    check_text(std::string(reinterpret_cast<const char*>(data), size));
    if (size >= 2 * sizeof(std::uint64_t)) {
        FuzzedDataProvider provider(data + size - 2 * sizeof(std::uint64_t), 2 * sizeof(std::uint64_t));
        const UtcMs a = provider.ConsumeIntegralInRange<UtcMs>(first_ms, last_ms);
        const UtcMs b = provider.ConsumeIntegralInRange<UtcMs>(first_ms, last_ms);
        check_order(a, b);
    }
    return 0;
}
