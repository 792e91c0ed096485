// Query strings: parse_query either refuses with bad_request or gives parameters that, written
// again with every byte percent-encoded, parse to the same parameters.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "billing/http/problem.hpp"
#include "billing/http/query_string.hpp"
#include "fuzz_check.hpp"

namespace {

std::string encoded(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                           (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
        if (plain) {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
        }
    }
    return out;
}

std::string shown(const std::map<std::string, std::string>& params) {
    std::string out;
    for (const auto& [name, value] : params) out += "[" + encoded(name) + "=" + encoded(value) + "]";
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string target(reinterpret_cast<const char*>(data), size);
    const auto params = billing::http::parse_query(target);
    if (!params) {
        FUZZ_CHECK(params.error().code == billing::http::problem_code::bad_request, params.error().code);
        FUZZ_CHECK(!params.error().message.empty(), "a refusal without a message");
        return 0;
    }
    const auto mark = target.find('?');
    std::size_t pairs_max = 0;
    if (mark != std::string::npos) {
        pairs_max = 1;
        for (std::size_t i = mark + 1; i < target.size(); ++i) pairs_max += target[i] == '&' ? 1 : 0;
    }
    FUZZ_CHECK(params.value().size() <= pairs_max, std::to_string(params.value().size()) + " parameters");

    std::string again = "/v1/x?";
    for (const auto& [name, value] : params.value()) again += encoded(name) + "=" + encoded(value) + "&";
    const auto reparsed = billing::http::parse_query(again);
    FUZZ_CHECK(reparsed.ok(), again + " refused: " + reparsed.error().message);
    FUZZ_CHECK(reparsed.value() == params.value(), shown(params.value()) + " came back as " + shown(reparsed.value()));
    return 0;
}
