// Request bodies: parse_json_object and every typed getter a route uses, on arbitrary bytes.
// Beyond not crashing: a refusal has one of the three codes the header promises (413 only for a
// body over the limit); an accepted body nests no deeper than the limit; and an accepted body
// written out again by Poco and read again gives every getter the same answer (parse -> serialise
// -> parse), unless it holds an integer the parser could not keep (those answers are refusals).
// Poco writes a double without its fraction (150.0 as 150), so a field refused for holding a
// fraction or an exponent may read differently the second time; it is left out of the comparison.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "billing/http/json_input.hpp"
#include "billing/http/json_scan.hpp"
#include "billing/http/problem.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace billing::http;
using billing::Result;

constexpr JsonLimits limits{.body_bytes_max = 4096, .depth_max = 4};

// The members of an order, a deposit, a tenant and a test clock, with the bounds those routes use.
Result<JsonObject> parse(std::string_view body, const JsonLimits& with) {
    return parse_json_object(body, with,
                             {"account_id", "product", "amount_minor", "hours", "test_mode", "policy_config",
                              "attributes", "numbers"});
}

template <class T>
std::string shown(const T& value) {
    return std::to_string(value);
}
std::string shown(const std::string& value) { return "\"" + value + "\""; }
std::string shown(bool value) { return value ? "true" : "false"; }
template <class T>
std::string shown(const std::optional<T>& value) {
    return value ? shown(*value) : "absent";
}
template <class T>
std::string shown(const std::map<std::string, T>& entries) {
    std::string out = "{";
    for (const auto& [key, value] : entries) out += shown(key) + ":" + shown(value) + ",";
    return out + "}";
}

template <class T>
void note(std::vector<std::string>& out, std::string_view field, const Result<T>& result) {
    out.push_back(std::string(field) + " = " +
                  (result ? shown(result.value()) : "refused " + result.error().code + ": " + result.error().message));
}

bool holds_a_fraction(const std::string& answer) {
    return answer.find("a number with a fraction or an exponent") != std::string::npos;
}

// Every getter's answer, one line per field.
std::vector<std::string> answers(const JsonObject& body) {
    std::vector<std::string> out;
    note(out, "account_id", body.required_string("account_id", {1, 64}));
    note(out, "product", body.required_string("product", {1, 64}));
    note(out, "amount_minor", body.required_money("amount_minor", {1, 1'000'000'000'000}));
    note(out, "hours", body.optional_integer("hours", {1, 87'600}));
    note(out, "test_mode", body.optional_bool("test_mode"));
    note(out, "policy_config", body.optional_string("policy_config", {1, 1024, /*multiline=*/true}));
    note(out, "attributes", body.string_map("attributes", {8, {1, 64}}, {1, 256}));
    note(out, "numbers", body.integer_map("numbers", {8, {1, 64}}, {0, 1'000'000}));
    return out;
}

std::string written_again(std::string_view body) {
    Poco::JSON::Parser parser;
    std::ostringstream out;
    parser.parse(std::string(body)).extract<Poco::JSON::Object::Ptr>()->stringify(out);
    return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse(body, limits);
    if (!parsed) {
        const std::string& code = parsed.error().code;
        FUZZ_CHECK(code == problem_code::payload_too_large || code == problem_code::malformed_json ||
                       code == problem_code::validation_failed,
                   code);
        FUZZ_CHECK((code == problem_code::payload_too_large) == (size > limits.body_bytes_max), code);
        FUZZ_CHECK(!parsed.error().message.empty(), "a refusal without a message");
        return 0;
    }
    const JsonScan scan = scan_json(body, limits.depth_max);
    FUZZ_CHECK(scan.depth <= limits.depth_max && !scan.duplicate_member && !scan.escaped_member,
               "accepted although the scan found depth " + std::to_string(scan.depth) + " or a bad member name");
    const std::vector<std::string> first = answers(parsed.value());
    if (!scan.out_of_range_members.empty()) return 0;

    // Escapes may make the text longer; the limit is not what is checked here.
    const std::string again = body.empty() ? std::string("{}") : written_again(body);
    const auto reparsed = parse(again, JsonLimits{.body_bytes_max = 8 * again.size() + 16, .depth_max = 4});
    FUZZ_CHECK(reparsed.ok(), "written again as " + again + " it is refused: " + reparsed.error().message);
    const std::vector<std::string> second = answers(reparsed.value());
    for (std::size_t i = 0; i < first.size(); ++i) {
        if (holds_a_fraction(first[i])) continue;
        FUZZ_CHECK(first[i] == second[i], "written again as " + again + "\n" + first[i] + "\nbecame\n" + second[i]);
    }
    return 0;
}
