// JSON text for what the schema stores as TEXT: an order's attributes and terms, and the
// decision kept on each event record. Integers stay integers (no floating point near money).
#pragma once

#include <optional>
#include <string>

#include "billing/sdk/types.hpp"

namespace billing::json_codec {

std::string encode(const sdk::Attributes& attributes);
std::string encode(const sdk::Numbers& numbers);
std::string encode(const sdk::Decision& decision);
// An event's fields, {"text":{...},"numbers":{...}}, for its record; "" when it has none.
std::string encode_request(const sdk::Event& event);

// nullopt when the text is not a JSON object of the expected value type: stored data the
// host did not write, which the caller reports instead of guessing.
std::optional<sdk::Attributes> decode_attributes(const std::string& text);
std::optional<sdk::Numbers> decode_numbers(const std::string& text);

}  // namespace billing::json_codec
