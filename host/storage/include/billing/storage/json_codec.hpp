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

// How a stored text is read. plain_first: the plain texts the host writes (flat, printable ASCII,
// no escapes) by a short reader of their own, every other text by the general JSON reader
// (billing/core/json_reader.hpp); general: every text by the general reader. Both give the same
// answer for every text; general is there for billing_json_bench, which shows the two side by
// side, and for json_codec_test, which compares them.
enum class StoredTextReader : unsigned char { plain_first, general };

// nullopt when the text is not a JSON object of the expected value type: stored data the
// host did not write, which the caller reports instead of guessing.
std::optional<sdk::Attributes> decode_attributes(const std::string& text,
                                                 StoredTextReader reader = StoredTextReader::plain_first);
std::optional<sdk::Numbers> decode_numbers(const std::string& text,
                                           StoredTextReader reader = StoredTextReader::plain_first);

}  // namespace billing::json_codec
