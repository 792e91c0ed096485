#include "billing/http/json_writer.hpp"

#include <cassert>
#include <cstdio>

namespace billing::http {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

struct Utf8Step {
    std::size_t bytes = 1;    // how many bytes of the input this step covers
    bool valid = false;       // they are one well-formed character
    char32_t code_point = 0;  // that character, when valid
};

// The character at s[at] when its bytes are well-formed UTF-8 (RFC 3629: no overlong form, no
// surrogate, nothing above U+10FFFF); otherwise the maximal ill-formed subpart there, which is
// replaced by one U+FFFD (the Unicode Standard's recommended practice, section 3.9).
Utf8Step utf8_step(std::string_view s, std::size_t at) {
    const auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {1, true, lead};
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
        if (lead == 0xED) second_max = 0x9F;  // surrogates U+D800..U+DFFF
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
        if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
        return {1, false, 0};  // a continuation byte, C0, C1 or F5..FF
    }
    char32_t code_point = lead & (0xFFU >> (length + 1));
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char min = i == 1 ? second_min : 0x80;
        const unsigned char max = i == 1 ? second_max : 0xBF;
        if (at + i >= s.size() || byte(at + i) < min || byte(at + i) > max) return {i, false, 0};
        code_point = (code_point << 6U) | (byte(at + i) & 0x3FU);
    }
    return {length, true, code_point};
}

// Control characters (C0, DEL, C1) and the two line separators JavaScript treats as line ends
// are escaped, so that a log line stays one line and a body reads the same in any viewer.
bool escaped_as_code(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029; }

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t at = 0;
    while (at < s.size()) {
        const Utf8Step step = utf8_step(s, at);
        if (!step.valid) {
            out += replacement_character;
        } else if (step.code_point == '"') {
            out += "\\\"";
        } else if (step.code_point == '\\') {
            out += "\\\\";
        } else if (step.code_point == '\n') {
            out += "\\n";
        } else if (step.code_point == '\r') {
            out += "\\r";
        } else if (step.code_point == '\t') {
            out += "\\t";
        } else if (escaped_as_code(step.code_point)) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(step.code_point));
            out += escaped;
        } else {
            out += s.substr(at, step.bytes);
        }
        at += step.bytes;
    }
    out += '"';
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!has_items_.empty()) {
        if (has_items_.back()) out_ += ',';
        has_items_.back() = true;
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    has_items_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    assert(!has_items_.empty() && !after_key_);
    has_items_.pop_back();
    out_ += '}';
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    has_items_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    assert(!has_items_.empty() && !after_key_);
    has_items_.pop_back();
    out_ += ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    assert(!has_items_.empty() && !after_key_);
    before_value();
    append_json_string(out_, name);
    out_ += ':';
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
    before_value();
    append_json_string(out_, value);
    return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t value) {
    before_value();
    out_ += std::to_string(value);
    return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
    before_value();
    out_ += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
    before_value();
    out_ += json;
    return *this;
}

JsonWriter& JsonWriter::optional_string(const std::optional<std::string>& value) {
    return value ? string(*value) : null();
}

}  // namespace billing::http
