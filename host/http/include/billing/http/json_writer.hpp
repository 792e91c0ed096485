// A small JSON writer for responses: members come out in the order written (so documents are
// stable and diffable), integers stay integers (money is never a double), strings are escaped
// by append_json_string. Poco::JSON::Object would reorder members and print via doubles.
//
//   JsonWriter w;
//   w.begin_object().key("id").string("ord_1").key("price_minor").integer(150).end_object();
//   w.str() == R"({"id":"ord_1","price_minor":150})"
//
// Nesting is checked with asserts: the writer is driven by code, not by input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billing::http {

// s as a JSON string with its quotes, valid UTF-8 whatever bytes s holds: each ill-formed UTF-8
// sequence becomes U+FFFD; ", \ and control characters (C0, DEL, C1, U+2028, U+2029) are
// escaped (\n, \r, \t, else \u00XX). Request bytes reach problem details and log lines through
// here, so neither can be made invalid JSON by a client.
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& string(std::string_view value);
    JsonWriter& integer(std::int64_t value);
    JsonWriter& boolean(bool value);
    JsonWriter& null();
    JsonWriter& raw(std::string_view json);  // an already valid JSON value, e.g. a stored document
    JsonWriter& optional_string(const std::optional<std::string>& value);

    [[nodiscard]] const std::string& str() const { return out_; }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    void before_value();

    std::string out_;
    // One entry per open object or array: whether it already holds a member or an element.
    std::vector<bool> has_items_;
    bool after_key_ = false;
};

}  // namespace billing::http
