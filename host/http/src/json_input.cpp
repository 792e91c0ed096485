#include "billing/http/json_input.hpp"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "billing/http/json_scan.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/problem.hpp"

namespace billing::http {

namespace {

using Poco::Dynamic::Var;

Error invalid(std::string_view field, const std::string& what) {
    return Error{std::string(problem_code::validation_failed), std::string(field) + ": " + what};
}

// How a value reads in a message: "not a string".
std::string describe(const Var& value) {
    if (value.isEmpty()) return "null";
    if (value.type() == typeid(bool)) return "a boolean";
    if (value.type() == typeid(std::string)) return "a string";
    if (value.type() == typeid(double)) return "a number with a fraction or an exponent";
    if (value.isInteger()) return "an integer";
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
    return "a value of another type";
}

std::string range_text(IntegerRange range) {
    return "from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

// An integer of the parser's, when it is one that fits an int64 (an unsigned one above 2^63 - 1
// does not).
std::optional<std::int64_t> as_int64(const Var& value) {
    if (value.type() == typeid(bool) || !value.isInteger()) {
        return std::nullopt;
    }
    if (!value.isSigned() && value.convert<Poco::UInt64>() > static_cast<Poco::UInt64>(INT64_MAX)) {
        return std::nullopt;
    }
    return value.convert<Poco::Int64>();
}

Result<std::string> checked_string(std::string_view field, const Var& value, StringBounds bounds) {
    if (value.type() != typeid(std::string)) {
        return invalid(field, "must be a string, not " + describe(value));
    }
    std::string text = value.extract<std::string>();
    if (text.size() < bounds.min_bytes || text.size() > bounds.max_bytes) {
        return invalid(field, "must be " + std::to_string(bounds.min_bytes) + " to " +
                                  std::to_string(bounds.max_bytes) + " bytes long, not " +
                                  std::to_string(text.size()));
    }
    const auto refused = [&bounds](char c) {
        if (bounds.multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
        return static_cast<unsigned char>(c) < 0x20;
    };
    if (std::any_of(text.begin(), text.end(), refused)) {
        return invalid(field, bounds.multiline ? "must not contain control characters other than line breaks and tabs"
                                               : "must not contain control characters");
    }
    return text;
}

Result<std::int64_t> checked_integer(std::string_view field, const Var& value, IntegerRange range,
                                     std::string_view what, bool out_of_range) {
    const std::string expected = "must be " + std::string(what) + " " + range_text(range);
    const std::optional<std::int64_t> number = out_of_range ? std::nullopt : as_int64(value);
    if (out_of_range || (!number && value.isInteger() && value.type() != typeid(bool))) {
        return invalid(field, expected + ", not an integer outside the 64-bit range");
    }
    if (!number) {
        return invalid(field, expected + ", not " + describe(value));
    }
    if (*number < range.min || *number > range.max) {
        return invalid(field, expected + ", not " + std::to_string(*number));
    }
    return *number;
}

Result<Poco::JSON::Object::Ptr> member_object(std::string_view field, const Var& value) {
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
        return invalid(field, "must be an object, not " + describe(value));
    }
    return value.extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

bool JsonObject::has(std::string_view field) const {
    const std::string name(field);
    return object_->has(name) && !object_->get(name).isEmpty();
}

Result<std::string> JsonObject::required_string(std::string_view field, StringBounds bounds) const {
    if (!has(field)) {
        return invalid(field, "is required");
    }
    return checked_string(field, object_->get(std::string(field)), bounds);
}

Result<std::optional<std::string>> JsonObject::optional_string(std::string_view field, StringBounds bounds) const {
    if (!has(field)) {
        return std::optional<std::string>{};
    }
    auto text = checked_string(field, object_->get(std::string(field)), bounds);
    if (!text) {
        return text.error();
    }
    return std::optional<std::string>(std::move(text).value());
}

Result<std::int64_t> JsonObject::integer(std::string_view field, IntegerRange range, std::string_view what) const {
    if (!has(field)) {
        return invalid(field, "is required");
    }
    const bool out_of_range = out_of_range_.count(std::string(field)) != 0;
    return checked_integer(field, object_->get(std::string(field)), range, what, out_of_range);
}

Result<std::int64_t> JsonObject::required_integer(std::string_view field, IntegerRange range) const {
    return integer(field, range, "an integer");
}

Result<std::optional<std::int64_t>> JsonObject::optional_integer(std::string_view field, IntegerRange range) const {
    if (!has(field)) {
        return std::optional<std::int64_t>{};
    }
    auto number = integer(field, range, "an integer");
    if (!number) {
        return number.error();
    }
    return std::optional<std::int64_t>(number.value());
}

Result<std::int64_t> JsonObject::required_money(std::string_view field, IntegerRange range) const {
    return integer(field, range, "integer minor units (a JSON integer: 150 is 1.50)");
}

Result<std::optional<bool>> JsonObject::optional_bool(std::string_view field) const {
    if (!has(field)) {
        return std::optional<bool>{};
    }
    const Var value = object_->get(std::string(field));
    if (value.type() != typeid(bool)) {
        return invalid(field, "must be true or false, not " + describe(value));
    }
    return std::optional<bool>(value.extract<bool>());
}

Result<std::map<std::string, std::string>> JsonObject::string_map(std::string_view field, MapBounds bounds,
                                                                  StringBounds value) const {
    std::map<std::string, std::string> entries;
    if (!has(field)) {
        return entries;
    }
    auto object = member_object(field, object_->get(std::string(field)));
    if (!object) {
        return object.error();
    }
    if (object.value()->size() > bounds.entries_max) {
        return invalid(field, "may hold at most " + std::to_string(bounds.entries_max) + " entries");
    }
    for (const auto& [name, member] : *object.value()) {
        const std::string path = std::string(field) + "." + name;
        if (auto key = checked_string(path, Var(name), bounds.key); !key) {
            return key.error();
        }
        auto text = checked_string(path, member, value);
        if (!text) {
            return text.error();
        }
        entries.emplace(name, std::move(text).value());
    }
    return entries;
}

Result<std::map<std::string, std::int64_t>> JsonObject::integer_map(std::string_view field, MapBounds bounds,
                                                                    IntegerRange range) const {
    std::map<std::string, std::int64_t> entries;
    if (!has(field)) {
        return entries;
    }
    auto object = member_object(field, object_->get(std::string(field)));
    if (!object) {
        return object.error();
    }
    if (object.value()->size() > bounds.entries_max) {
        return invalid(field, "may hold at most " + std::to_string(bounds.entries_max) + " entries");
    }
    // The scan tells only which top-level member held an integer the parser could not keep.
    const bool out_of_range = out_of_range_.count(std::string(field)) != 0;
    for (const auto& [name, member] : *object.value()) {
        const std::string path = std::string(field) + "." + name;
        if (auto key = checked_string(path, Var(name), bounds.key); !key) {
            return key.error();
        }
        auto number = checked_integer(path, member, range, "an integer", out_of_range);
        if (!number) {
            return number.error();
        }
        entries.emplace(name, number.value());
    }
    return entries;
}

namespace {

// Poco 1.11 throws on a scalar at the top (it can only set values inside a container), so a
// body that does not start as an object is refused before it is parsed.
bool starts_as_object(std::string_view body) {
    const std::size_t first = body.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos || body[first] == '{';
}

// Whether body is one JSON value (for a body that is not an object): Poco cannot parse a scalar
// at the top, so it is parsed as the only element of an array.
bool is_one_json_value(std::string_view body, std::size_t depth_max) {
    Poco::JSON::Parser parser;
    parser.setDepth(depth_max + 1);
    parser.setAllowNullByte(false);
    try {
        const Var wrapped = parser.parse("[" + std::string(body) + "]");
        return wrapped.extract<Poco::JSON::Array::Ptr>()->size() == 1;
    } catch (const Poco::Exception&) {
        return false;
    }
}

Result<Poco::JSON::Object::Ptr> parse_object(std::string_view body, const JsonScan& scan, std::size_t depth_max) {
    if (!starts_as_object(body)) {
        // JSON of the wrong shape (an array, a string, a number) is invalid input (422); text
        // that is not JSON at all is malformed (400), as for an object that does not parse.
        if (!is_one_json_value(body, depth_max)) {
            return Error{std::string(problem_code::malformed_json), "the body is not JSON"};
        }
        return Error{std::string(problem_code::validation_failed), "the body must be a JSON object"};
    }
    Poco::JSON::Parser parser;
    parser.setDepth(depth_max);
    parser.setAllowNullByte(false);
    Var root;
    try {
        root = parser.parse(body.empty() ? std::string("{}") : std::string(body));
    } catch (const Poco::Exception& e) {
        // Poco reads some integers beyond 64 bits wrongly and refuses others; both are too big.
        if (!scan.out_of_range_members.empty()) {
            return invalid(*scan.out_of_range_members.begin(), "holds an integer outside the 64-bit range");
        }
        return Error{std::string(problem_code::malformed_json), "the body is not JSON: " + e.message()};
    }
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) {
        return Error{std::string(problem_code::validation_failed), "the body must be a JSON object"};
    }
    return root.extract<Poco::JSON::Object::Ptr>();
}

std::optional<Error> member_names_refusal(const JsonScan& scan, const Poco::JSON::Object& object,
                                          std::initializer_list<std::string_view> known) {
    if (scan.escaped_member) {
        return invalid(*scan.escaped_member, "member names may not hold escapes");
    }
    if (scan.duplicate_member) {
        return invalid(*scan.duplicate_member, "appears twice");
    }
    for (const auto& [name, value] : object) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string list;
            for (const std::string_view k : known) {
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            return invalid(name, "unknown field; the fields are: " + (list.empty() ? "(none)" : list));
        }
    }
    return std::nullopt;
}

}  // namespace

Result<JsonObject> parse_json_object(std::string_view body, const JsonLimits& limits,
                                     std::initializer_list<std::string_view> known_fields) {
    if (body.size() > limits.body_bytes_max) {
        return Error{std::string(problem_code::payload_too_large),
                     "the body is " + std::to_string(body.size()) + " bytes; at most " +
                         std::to_string(limits.body_bytes_max) + " are accepted"};
    }
    JsonScan scan = scan_json(body, limits.depth_max);
    if (scan.depth > limits.depth_max) {
        return Error{std::string(problem_code::validation_failed),
                     "the body nests deeper than " + std::to_string(limits.depth_max) + " levels"};
    }
    auto object = parse_object(body, scan, limits.depth_max);
    if (!object) {
        return object.error();
    }
    if (auto refusal = member_names_refusal(scan, *object.value(), known_fields)) {
        return *refusal;
    }
    return JsonObject(std::move(object).value(), std::move(scan.out_of_range_members));
}

namespace {

// The shortest decimal text that reads back as the same double ("100", "0.1", "1e+300").
std::string shortest_double_text(double value) {
    char text[32];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(text, sizeof text, "%.*g", precision, value);
        if (std::strtod(text, nullptr) == value) break;
    }
    return text;
}

void write_canonical(JsonWriter& out, const Var& value) {
    if (value.isEmpty()) {
        out.null();
    } else if (value.type() == typeid(bool)) {
        out.boolean(value.extract<bool>());
    } else if (value.type() == typeid(std::string)) {
        out.string(value.extract<std::string>());
    } else if (value.isInteger()) {
        // An unsigned integer above INT64_MAX keeps its own digits.
        out.raw(value.isSigned() ? std::to_string(value.convert<Poco::Int64>())
                                 : std::to_string(value.convert<Poco::UInt64>()));
    } else if (value.isNumeric()) {
        const double number = value.convert<double>();
        // A double that holds an integer exactly reads as that integer: 1E2 and 100.0 are 100.
        if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
            out.raw(std::to_string(static_cast<long long>(number)));
        } else {
            out.raw(shortest_double_text(number));
        }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        out.begin_array();
        for (const Var& element : *value.extract<Poco::JSON::Array::Ptr>()) write_canonical(out, element);
        out.end_array();
    } else {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        std::vector<std::string> names = object->getNames();
        std::sort(names.begin(), names.end());
        out.begin_object();
        for (const std::string& name : names) {
            out.key(name);
            write_canonical(out, object->get(name));
        }
        out.end_object();
    }
}

}  // namespace

std::optional<std::string> canonical_json(std::string_view body, std::size_t depth_max) {
    Poco::JSON::Parser parser;
    parser.setDepth(depth_max + 1);
    parser.setAllowNullByte(false);
    Var wrapped;
    try {
        // Wrapped in an array: Poco cannot parse a scalar at the top.
        const std::string_view text = body.find_first_not_of(" \t\r\n") == std::string_view::npos ? "{}" : body;
        wrapped = parser.parse("[" + std::string(text) + "]");
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
    const auto array = wrapped.extract<Poco::JSON::Array::Ptr>();
    if (array->size() != 1) return std::nullopt;
    JsonWriter out;
    write_canonical(out, array->get(0));
    return out.take();
}

}  // namespace billing::http
