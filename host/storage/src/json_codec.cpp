#include "billing/storage/json_codec.hpp"

#include <Poco/JSONString.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <cstdint>
#include <string_view>

#include "billing/rules/decision_check.hpp"

namespace billing::json_codec {

namespace {

// The encoders write the text themselves, in the exact form Poco::JSON::Object::stringify gave
// (keys sorted, no spaces, strings escaped by Poco::toJSON), which wrote every event stored
// before them: building a Poco object per decision was a fifth of the sweeper's CPU.
// json_codec_test compares the two.
void put_string(std::string& out, const std::string& value) { out += Poco::toJSON(value, Poco::JSON_WRAP_STRINGS); }

void put_number(std::string& out, std::int64_t value) { out += std::to_string(value); }

template <typename Map, typename PutValue>
void put_object(std::string& out, const Map& map, PutValue put_value) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : map) {  // a std::map: sorted, as Poco sorts its keys
        if (!first) out += ',';
        first = false;
        put_string(out, key);
        out += ':';
        put_value(out, value);
    }
    out += '}';
}

template <typename Items, typename PutItem>
void put_array(std::string& out, const Items& items, PutItem put_item) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        put_item(out, items[i]);
    }
    out += ']';
}

void put_attributes(std::string& out, const sdk::Attributes& attributes) { put_object(out, attributes, put_string); }

void put_numbers(std::string& out, const sdk::Numbers& numbers) { put_object(out, numbers, put_number); }

// Appends ,"key": to the object out is writing (no comma after its '{'); keys are our own ASCII
// names, in sorted order.
void put_key(std::string& out, std::string_view key) {
    if (out.back() != '{') out += ',';
    out += '"';
    out += key;
    out += "\":";
}

// The plain case of a stored attributes or terms text, read without Poco (whose parser was a
// sixth of the sweeper's client CPU, reading every order of a batch): one flat object whose keys
// and string values are printable ASCII without escapes, and whose numbers are plain integers.
// Anything else (an escape, a byte outside printable ASCII, a nested value, a duplicate key, a
// number that is not plainly an int64) gives nullopt, and Poco reads the text as before: this
// path never decides a text Poco would have read differently. json_codec_test compares them.
class PlainObjectReader {
public:
    explicit PlainObjectReader(std::string_view text) : text_(text) {}

    template <typename Map, typename ReadValue>
    std::optional<Map> read(ReadValue read_value) {
        Map out;
        skip_space();
        if (!take('{')) return std::nullopt;
        skip_space();
        if (!take('}')) {
            while (true) {
                std::string key;
                if (!read_string(key)) return std::nullopt;
                skip_space();
                if (!take(':')) return std::nullopt;
                skip_space();
                typename Map::mapped_type value{};
                if (!(this->*read_value)(value) || !out.emplace(std::move(key), std::move(value)).second) {
                    return std::nullopt;
                }
                skip_space();
                if (take('}')) break;
                if (!take(',')) return std::nullopt;
                skip_space();
            }
        }
        skip_space();
        if (at_ != text_.size()) return std::nullopt;
        return out;
    }

    bool read_string(std::string& out) {
        if (!take('"')) return false;
        const std::size_t begin = at_;
        while (at_ < text_.size() && text_[at_] != '"') {
            const char c = text_[at_];
            if (c < 0x20 || c > 0x7E || c == '\\') return false;  // signed char: non-ASCII is < 0
            ++at_;
        }
        if (at_ == text_.size()) return false;
        out.assign(text_.substr(begin, at_ - begin));
        ++at_;  // the closing quote
        return true;
    }

    bool read_integer(std::int64_t& out) {
        const std::size_t begin = at_;
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        const std::size_t digits = at_;
        while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
        const std::size_t count = at_ - digits;
        // A leading zero only as the whole number 0 ("-0" and "007" are left to Poco).
        if (count == 0 || (text_[digits] == '0' && (count > 1 || digits > begin))) return false;
        const auto [end, error] = std::from_chars(text_.data() + begin, text_.data() + at_, out);
        return error == std::errc() && end == text_.data() + at_;
    }

private:
    void skip_space() {
        while (at_ < text_.size() &&
               (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }
    bool take(char c) {
        if (at_ >= text_.size() || text_[at_] != c) return false;
        ++at_;
        return true;
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

Poco::JSON::Object::Ptr parse_object(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return nullptr;
    } catch (const std::exception&) {
        return nullptr;
    }
}

}  // namespace

std::string encode(const sdk::Attributes& attributes) {
    std::string out;
    put_attributes(out, attributes);
    return out;
}

std::string encode(const sdk::Numbers& numbers) {
    std::string out;
    put_numbers(out, numbers);
    return out;
}

std::string encode_request(const sdk::Event& event) {
    if (event.text.empty() && event.numbers.empty()) return "";
    std::string out = "{";
    put_key(out, "numbers");
    put_numbers(out, event.numbers);
    put_key(out, "text");
    put_attributes(out, event.text);
    out += '}';
    return out;
}

std::string encode(const sdk::Decision& decision) {
    std::string out = "{";
    put_key(out, "add_timers");
    put_array(out, decision.add_timers, [](std::string& o, const sdk::TimerRequest& timer) {
        o += "{\"due_at_ms\":";
        put_number(o, timer.due_at_ms);
        o += ",\"name\":";
        put_string(o, timer.name);
        o += '}';
    });
    put_key(out, "allowed");
    out += decision.allowed ? "true" : "false";
    if (decision.available_at_ms) {
        put_key(out, "available_at_ms");
        put_number(out, *decision.available_at_ms);
    }
    put_key(out, "code");
    put_string(out, decision.code);
    put_key(out, "drop_timers");
    put_array(out, decision.drop_timers, put_string);
    put_key(out, "message");
    put_string(out, decision.message);
    put_key(out, "moves");
    put_array(out, decision.moves, [](std::string& o, const sdk::MoneyMove& move) {
        o += "{\"amount_minor\":";
        put_number(o, move.amount_minor);
        o += ",\"kind\":";
        put_string(o, decision_check::move_kind_name(move.kind));
        o += '}';
    });
    put_key(out, "new_state");
    put_string(out, decision.new_state);
    put_key(out, "outcome");
    put_string(out, decision.outcome);
    put_key(out, "set_attributes");
    put_attributes(out, decision.set_attributes);
    put_key(out, "set_terms");
    put_numbers(out, decision.set_terms);
    out += '}';
    return out;
}

std::optional<sdk::Attributes> decode_attributes(const std::string& text) {
    if (auto plain = PlainObjectReader(text).read<sdk::Attributes>(&PlainObjectReader::read_string)) return plain;
    const auto object = parse_object(text);
    if (!object) return std::nullopt;
    sdk::Attributes out;
    for (const auto& [key, value] : *object) {
        if (!value.isString()) return std::nullopt;
        out[key] = value.extract<std::string>();
    }
    return out;
}

std::optional<sdk::Numbers> decode_numbers(const std::string& text) {
    if (auto plain = PlainObjectReader(text).read<sdk::Numbers>(&PlainObjectReader::read_integer)) return plain;
    const auto object = parse_object(text);
    if (!object) return std::nullopt;
    sdk::Numbers out;
    for (const auto& [key, value] : *object) {
        if (!value.isInteger()) return std::nullopt;
        // An integer past int64 (Poco reads it as an unsigned one) is refused, not thrown.
        Poco::Int64 number = 0;
        try {
            number = value.convert<Poco::Int64>();
        } catch (const Poco::Exception&) {
            return std::nullopt;
        }
        out[key] = number;
    }
    return out;
}

}  // namespace billing::json_codec
