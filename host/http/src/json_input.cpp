#include "billing/http/json_input.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "billing/http/json_writer.hpp"
#include "billing/http/problem.hpp"

namespace billing::http {

namespace {

using json::Value;
using Kind = json::Value::Kind;

Error invalid(std::string_view field, const std::string& what) {
    return Error{std::string(problem_code::validation_failed), std::string(field) + ": " + what};
}

// How a value reads in a message: "not a string".
std::string describe(const Value& value) {
    switch (value.kind) {
        case Kind::null: return "null";
        case Kind::boolean: return "a boolean";
        case Kind::string: return "a string";
        case Kind::number: return "a number with a fraction or an exponent";
        case Kind::integer:
        case Kind::big_integer: return "an integer";
        case Kind::object: return "an object";
        case Kind::array: return "an array";
    }
    return "a value of another type";
}

std::string range_text(IntegerRange range) {
    return "from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

// A string's length and characters (a member name's too).
Result<std::string> checked_text(std::string_view field, const std::string& text, StringBounds bounds) {
    if (text.size() < bounds.min_bytes || text.size() > bounds.max_bytes) {
        return invalid(field, "must be " + std::to_string(bounds.min_bytes) + " to " +
                                  std::to_string(bounds.max_bytes) + " bytes long, not " + std::to_string(text.size()));
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

Result<std::string> checked_string(std::string_view field, const Value& value, StringBounds bounds) {
    if (value.kind != Kind::string) {
        return invalid(field, "must be a string, not " + describe(value));
    }
    return checked_text(field, value.text, bounds);
}

Result<std::int64_t> checked_integer(std::string_view field, const Value& value, IntegerRange range,
                                     std::string_view what) {
    const std::string expected = "must be " + std::string(what) + " " + range_text(range);
    if (value.kind == Kind::big_integer) {
        return invalid(field, expected + ", not an integer outside the 64-bit range");
    }
    if (value.kind != Kind::integer) {
        return invalid(field, expected + ", not " + describe(value));
    }
    if (value.integer < range.min || value.integer > range.max) {
        return invalid(field, expected + ", not " + std::to_string(value.integer));
    }
    return value.integer;
}

// An object's members by name (bytewise), the order every refusal is looked for in, so that a body
// with two faults is refused for the same one however its members are ordered.
std::vector<std::size_t> by_name(const Value& object) {
    std::vector<std::size_t> order(object.names.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&object](std::size_t a, std::size_t b) { return object.names[a] < object.names[b]; });
    return order;
}

Result<const Value*> member_object(std::string_view field, const Value& value, MapBounds bounds) {
    if (value.kind != Kind::object) {
        return invalid(field, "must be an object, not " + describe(value));
    }
    if (value.items.size() > bounds.entries_max) {
        return invalid(field, "may hold at most " + std::to_string(bounds.entries_max) + " entries");
    }
    return &value;
}

}  // namespace

const Value* JsonObject::member(std::string_view field) const {
    const Value* value = object_.find(field);
    return value == nullptr || value->kind == Kind::null ? nullptr : value;
}

bool JsonObject::has(std::string_view field) const { return member(field) != nullptr; }

Result<std::string> JsonObject::required_string(std::string_view field, StringBounds bounds) const {
    const Value* value = member(field);
    if (value == nullptr) {
        return invalid(field, "is required");
    }
    return checked_string(field, *value, bounds);
}

Result<std::optional<std::string>> JsonObject::optional_string(std::string_view field, StringBounds bounds) const {
    const Value* value = member(field);
    if (value == nullptr) {
        return std::optional<std::string>{};
    }
    auto text = checked_string(field, *value, bounds);
    if (!text) {
        return text.error();
    }
    return std::optional<std::string>(std::move(text).value());
}

Result<std::int64_t> JsonObject::integer(std::string_view field, IntegerRange range, std::string_view what) const {
    const Value* value = member(field);
    if (value == nullptr) {
        return invalid(field, "is required");
    }
    return checked_integer(field, *value, range, what);
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
    const Value* value = member(field);
    if (value == nullptr) {
        return std::optional<bool>{};
    }
    if (value->kind != Kind::boolean) {
        return invalid(field, "must be true or false, not " + describe(*value));
    }
    return std::optional<bool>(value->boolean);
}

Result<std::map<std::string, std::string>> JsonObject::string_map(std::string_view field, MapBounds bounds,
                                                                  StringBounds value) const {
    std::map<std::string, std::string> entries;
    const Value* member_value = member(field);
    if (member_value == nullptr) {
        return entries;
    }
    auto object = member_object(field, *member_value, bounds);
    if (!object) {
        return object.error();
    }
    const Value& map = *object.value();
    for (const std::size_t i : by_name(map)) {
        const std::string path = std::string(field) + "." + map.names[i];
        if (auto key = checked_text(path, map.names[i], bounds.key); !key) {
            return key.error();
        }
        auto text = checked_string(path, map.items[i], value);
        if (!text) {
            return text.error();
        }
        entries.emplace(map.names[i], std::move(text).value());
    }
    return entries;
}

Result<std::map<std::string, std::int64_t>> JsonObject::integer_map(std::string_view field, MapBounds bounds,
                                                                    IntegerRange range) const {
    std::map<std::string, std::int64_t> entries;
    const Value* member_value = member(field);
    if (member_value == nullptr) {
        return entries;
    }
    auto object = member_object(field, *member_value, bounds);
    if (!object) {
        return object.error();
    }
    const Value& map = *object.value();
    for (const std::size_t i : by_name(map)) {
        const std::string path = std::string(field) + "." + map.names[i];
        if (auto key = checked_text(path, map.names[i], bounds.key); !key) {
            return key.error();
        }
        auto number = checked_integer(path, map.items[i], range, "an integer");
        if (!number) {
            return number.error();
        }
        entries.emplace(map.names[i], number.value());
    }
    return entries;
}

namespace {

std::optional<Error> member_names_refusal(const json::ReadReport& report, const Value& object,
                                          std::initializer_list<std::string_view> known) {
    if (report.escaped_name) {
        return invalid(*report.escaped_name, "member names may not hold escapes");
    }
    if (report.duplicate_name) {
        return invalid(*report.duplicate_name, "appears twice");
    }
    for (const std::size_t i : by_name(object)) {
        const std::string& name = object.names[i];
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
    json::ReadReport report;
    Value root = json::read(body.empty() ? std::string_view("{}") : body, {.depth_max = limits.depth_max}, report);
    if (report.failure && report.failure->kind == json::ReadFailure::Kind::too_deep) {
        return Error{std::string(problem_code::validation_failed),
                     "the body nests deeper than " + std::to_string(limits.depth_max) + " levels"};
    }
    if (report.failure && report.failure->kind == json::ReadFailure::Kind::too_big) {
        const std::string& where = report.failure->path;
        return Error{std::string(problem_code::validation_failed),
                     (where.empty() ? "the body" : where) + " holds " + report.failure->message};
    }
    if (report.failure) {
        // JSON of the wrong shape (an array, a string, a number) is invalid input (422); text
        // that is not JSON at all is malformed (400).
        return Error{std::string(problem_code::malformed_json), "the body is not JSON: " + report.failure->message +
                                                                    " (at byte " +
                                                                    std::to_string(report.failure->offset) + ")"};
    }
    if (root.kind != Kind::object) {
        return Error{std::string(problem_code::validation_failed), "the body must be a JSON object"};
    }
    if (auto refusal = member_names_refusal(report, root, known_fields)) {
        return *refusal;
    }
    return JsonObject(std::move(root));
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

void write_canonical(JsonWriter& out, const Value& value) {
    switch (value.kind) {
        case Kind::null: out.null(); return;
        case Kind::boolean: out.boolean(value.boolean); return;
        case Kind::string: out.string(value.text); return;
        case Kind::integer: out.raw(std::to_string(value.integer)); return;
        case Kind::big_integer: out.raw(value.text); return;  // keeps its own digits
        case Kind::number: {
            const double number = value.number;
            // A double that holds an integer exactly reads as that integer: 1E2 and 100.0 are 100.
            if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
                out.raw(std::to_string(static_cast<long long>(number)));
            } else {
                out.raw(shortest_double_text(number));
            }
            return;
        }
        case Kind::array:
            out.begin_array();
            for (const Value& element : value.items) write_canonical(out, element);
            out.end_array();
            return;
        case Kind::object: {
            std::vector<std::size_t> order(value.names.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::stable_sort(order.begin(), order.end(),
                             [&value](std::size_t a, std::size_t b) { return value.names[a] < value.names[b]; });
            out.begin_object();
            for (const std::size_t i : order) {
                out.key(value.names[i]);
                write_canonical(out, value.items[i]);
            }
            out.end_object();
            return;
        }
    }
}

}  // namespace

std::optional<std::string> canonical_json(std::string_view body, std::size_t depth_max) {
    const std::string_view text = body.find_first_not_of(" \t\r\n") == std::string_view::npos ? "{}" : body;
    json::ReadReport report;
    const Value root = json::read(text, {.depth_max = depth_max}, report);
    if (report.failure) return std::nullopt;
    JsonWriter out;
    write_canonical(out, root);
    return out.take();
}

}  // namespace billing::http
