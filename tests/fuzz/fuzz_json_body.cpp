// Request bodies: parse_json_object and every typed getter a route uses, on arbitrary bytes.
// Beyond not crashing: a refusal has one of the three codes the header promises (413 only for a
// body over the limit); an accepted body, read by Poco's parser (independent of the host's),
// nests no deeper than the limit; and written out again by Poco and read again it gives every
// getter the same answer (parse -> serialise -> parse), unless it holds an integer Poco cannot be
// trusted with (16 digits or more).
// Poco writes a double without its fraction (150.0 as 150), so a field refused for holding a
// fraction or an exponent may read differently the second time; it is left out of the comparison.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "billing/http/json_input.hpp"
#include "billing/http/problem.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace billing::http;
using billing::Result;

constexpr JsonLimits limits{.body_bytes_max = 4096, .depth_max = 4};

// The members of an order, a deposit, a tenant and a test clock, with the bounds those routes use.
Result<JsonObject> parse(std::string_view body, const JsonLimits& with) {
    return parse_json_object(
        body, with,
        {"account_id", "product", "amount_minor", "hours", "test_mode", "policy_config", "attributes", "numbers"});
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

std::size_t depth_of(const Poco::Dynamic::Var& value) {
    std::size_t deepest = 0;
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        for (const auto& [name, member] : *value.extract<Poco::JSON::Object::Ptr>()) {
            deepest = std::max(deepest, depth_of(member));
        }
        return deepest + 1;
    }
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        for (const auto& element : *value.extract<Poco::JSON::Array::Ptr>())
            deepest = std::max(deepest, depth_of(element));
        return deepest + 1;
    }
    return 0;
}

// Sixteen digits in a row or more: an integer past 2^53, which Poco 1.11 cannot be trusted to
// read (it throws on some outside 64 bits, and reads -92233720368555809 as -92233720368555808),
// so the comparison with Poco is skipped for such a body.
bool has_a_long_digit_run(std::string_view body) {
    std::size_t run = 0;
    for (const char c : body) {
        run = c >= '0' && c <= '9' ? run + 1 : 0;
        if (run >= 16) return true;
    }
    return false;
}

bool holds_a_big_integer(const std::vector<std::string>& answers) {
    return std::any_of(answers.begin(), answers.end(), [](const std::string& answer) {
        return answer.find("outside the 64-bit range") != std::string::npos;
    });
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
    const std::vector<std::string> first = answers(parsed.value());
    if (holds_a_big_integer(first) || has_a_long_digit_run(body)) return 0;

    Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
    if (!body.empty()) {
        try {
            Poco::JSON::Parser parser;
            object = parser.parse(std::string(body)).extract<Poco::JSON::Object::Ptr>();
        } catch (const Poco::Exception& e) {
            FUZZ_CHECK(false, "accepted a body Poco refuses: " + e.displayText());
        }
    }
    FUZZ_CHECK(depth_of(object) <= limits.depth_max,
               "accepted although it nests " + std::to_string(depth_of(object)) + " levels deep");
    // Escapes may make the text longer; the limit is not what is checked here.
    std::ostringstream written;
    object->stringify(written);
    const std::string again = written.str();
    const auto reparsed = parse(again, JsonLimits{.body_bytes_max = 8 * again.size() + 16, .depth_max = 4});
    FUZZ_CHECK(reparsed.ok(), "written again as " + again + " it is refused: " + reparsed.error().message);
    const std::vector<std::string> second = answers(reparsed.value());
    for (std::size_t i = 0; i < first.size(); ++i) {
        if (holds_a_fraction(first[i])) continue;
        FUZZ_CHECK(first[i] == second[i], "written again as " + again + "\n" + first[i] + "\nbecame\n" + second[i]);
    }
    return 0;
}
