// A request body as a bounded JSON object with typed, bounded getters. Every refusal is an
// Error whose code is in the problem catalogue and whose message names the field:
//   payload_too_large (413)  the body is longer than body_bytes_max
//   malformed_json (400)     not JSON (the message says what and at which byte)
//   validation_failed (422)  nesting deeper than depth_max, not an object, an unknown, duplicate
//                            or escaped member name, a missing field, a wrong type, a value out
//                            of its bounds; money that is not an integer JSON number
//
// Money is integer minor units (DESIGN §4): 150 is accepted; 150.0, 1e2, 1.5, "150", true and
// anything outside [-2^63, 2^63 - 1] are refused, however the parser would have read them.
// null counts as absent: an optional field that is null is empty, a required one is missing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "billing/core/json_reader.hpp"
#include "billing/core/result.hpp"

namespace billing::http {

struct JsonLimits {
    std::size_t body_bytes_max = 64 * 1024;
    std::size_t depth_max = 4;  // {"attributes":{"k":"v"}} is 2
};

struct StringBounds {
    std::size_t min_bytes = 1;
    std::size_t max_bytes = 256;
    // A document carried in a string (a tenant's TOML policy config) keeps its line breaks and
    // tabs; any other control character is refused all the same.
    bool multiline = false;
};

struct IntegerRange {
    std::int64_t min = 0;
    std::int64_t max = 0;
};

struct MapBounds {
    std::size_t entries_max = 32;
    StringBounds key{1, 64};
};

class JsonObject {
public:
    [[nodiscard]] bool has(std::string_view field) const;  // present and not null

    Result<std::string> required_string(std::string_view field, StringBounds bounds) const;
    Result<std::optional<std::string>> optional_string(std::string_view field, StringBounds bounds) const;

    Result<std::int64_t> required_integer(std::string_view field, IntegerRange range) const;
    Result<std::optional<std::int64_t>> optional_integer(std::string_view field, IntegerRange range) const;

    // As required_integer, but every refusal says "integer minor units".
    Result<std::int64_t> required_money(std::string_view field, IntegerRange range) const;

    Result<std::optional<bool>> optional_bool(std::string_view field) const;

    // An object of strings ({"service":"wa"}), e.g. a purchase's attributes; absent is empty.
    Result<std::map<std::string, std::string>> string_map(std::string_view field, MapBounds bounds,
                                                          StringBounds value) const;
    // An object of integers ({"duration_hours":24}); absent is empty.
    Result<std::map<std::string, std::int64_t>> integer_map(std::string_view field, MapBounds bounds,
                                                            IntegerRange range) const;

private:
    friend Result<JsonObject> parse_json_object(std::string_view, const JsonLimits&,
                                                std::initializer_list<std::string_view>);
    explicit JsonObject(json::Value object) : object_(std::move(object)) {}

    Result<std::int64_t> integer(std::string_view field, IntegerRange range, std::string_view what) const;
    [[nodiscard]] const json::Value* member(std::string_view field) const;  // present and not null

    json::Value object_;
};

// Parses body as one JSON object whose member names are all in known_fields.
Result<JsonObject> parse_json_object(std::string_view body, const JsonLimits& limits,
                                     std::initializer_list<std::string_view> known_fields);

// The canonical text of a JSON body, for telling two requests apart by what they say rather than
// how they spell it (an Idempotency-Key's request, as Stripe compares parameters): compact, the
// members of every object sorted by name (bytewise), strings with their escapes resolved and
// written by append_json_string, integers in decimal, other numbers as the shortest text that
// reads back the same double, true, false and null as such. An empty body is {}. So whitespace,
// member order and spelling ("\u0041" or "A", 1E2 or 100.0) do not matter; a different value, an
// added member (null included) or a removed one does. nullopt when body is not one JSON value
// (the readers above refuse it first).
std::optional<std::string> canonical_json(std::string_view body, std::size_t depth_max);

}  // namespace billing::http
