// The host's one JSON reader: RapidJSON's SAX reader, iterative (no recursion, so no input can
// exhaust the stack), validating UTF-8, with the depth bounded and every integer told apart from
// a number with a fraction or an exponent, and an int64 from one outside the 64-bit range (whose
// digits are kept, never rounded or clamped). Request bodies, stored attributes and terms, and
// problem bodies are all read through it.
//
// Two ways to use it: read() builds a Value (a small ordered tree), and read_events() sends the
// events to a Sink of the caller's, for a reader that wants no tree (the stored attributes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billing::json {

struct Value {
    enum class Kind : unsigned char { null, boolean, integer, big_integer, number, string, array, object };

    Kind kind = Kind::null;
    bool boolean = false;
    std::int64_t integer = 0;
    double number = 0;               // a number with a fraction or an exponent
    std::string text;                // a string's bytes (escapes resolved), a big integer's digits
    std::vector<std::string> names;  // an object's member names, in the order written
    std::vector<Value> items;        // an array's elements, or an object's values (names[i]: items[i])

    // The member called name of an object; nullptr when there is none (or this is no object).
    [[nodiscard]] const Value* find(std::string_view name) const;
};

// The events of a document, in order. A false return stops the reading (ReadFailure::stopped).
class Sink {
public:
    virtual ~Sink() = default;
    virtual bool null() = 0;
    virtual bool boolean(bool value) = 0;
    virtual bool integer(std::int64_t value) = 0;
    virtual bool big_integer(std::string_view digits) = 0;  // an integer outside [-2^63, 2^63 - 1]
    virtual bool number(double value) = 0;
    virtual bool string(std::string_view value) = 0;
    virtual bool key(std::string_view name) = 0;
    virtual bool start_object() = 0;
    virtual bool end_object() = 0;
    virtual bool start_array() = 0;
    virtual bool end_array() = 0;
};

struct ReadLimits {
    std::size_t depth_max = 64;  // open objects and arrays at once: {"a":{"b":1}} is 2
    // Whether a string or a member name may hold U+0000 (written \u0000): a request may not, as
    // C APIs and logs would cut the text there.
    bool nul_characters = false;
};

struct ReadFailure {
    // too_big: a number with so many digits or so large an exponent that no double holds it
    // (RFC 8259 §9 lets a reader refuse those); message says whether it is an integer.
    enum class Kind : unsigned char { syntax, too_deep, too_big, stopped };
    Kind kind = Kind::syntax;
    std::size_t offset = 0;  // bytes from the start of the text
    std::string message;     // syntax: what was wrong ("Missing a colon after a name of object member.")
    std::string path;        // too_big: the member holding the number ("" at the top)
};

// What a reading found. A failure means the text was not read to the end; the other two are
// findings in a text that was otherwise read whole, for a caller that refuses them.
struct ReadReport {
    std::optional<ReadFailure> failure;
    std::optional<std::string> escaped_name;    // the path of the first member name holding an escape
    std::optional<std::string> duplicate_name;  // the path of the first member named twice in its object
    [[nodiscard]] bool clean() const { return !failure && !escaped_name && !duplicate_name; }
};

// A member's path as messages show it: attributes.service, items[2].name.
ReadReport read_events(std::string_view text, const ReadLimits& limits, Sink& sink);

// The whole document as a Value (null when the report has a failure). A Value is freed
// recursively, so read() never builds one deeper than tree_depth_max, whatever the limits say.
constexpr std::size_t tree_depth_max = 512;
Value read(std::string_view text, const ReadLimits& limits, ReadReport& report);

}  // namespace billing::json
