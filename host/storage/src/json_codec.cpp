#include "billing/storage/json_codec.hpp"

#include <Poco/JSONString.h>

#include <charconv>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include "billing/core/json_reader.hpp"
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

// Reads a stored attributes or terms text, one flat object of strings or of int64 integers, from
// the reader's events into the map, without building a tree (this runs for every order of a
// sweeper's batch). Any other shape stops the reading.
template <typename Map>
class FlatObjectSink final : public json::Sink {
public:
    explicit FlatObjectSink(Map& out) : out_(out) {}

    bool null() override { return false; }
    bool boolean(bool /*value*/) override { return false; }
    bool integer(std::int64_t value) override {
        if constexpr (std::is_same_v<typename Map::mapped_type, std::int64_t>) {
            return in_object_ && out_.insert_or_assign(std::move(key_), value).second;
        }
        return false;
    }
    bool big_integer(std::string_view /*digits*/) override { return false; }
    bool number(double /*value*/) override { return false; }
    bool string(std::string_view value) override {
        if constexpr (std::is_same_v<typename Map::mapped_type, std::string>) {
            return in_object_ && out_.insert_or_assign(std::move(key_), std::string(value)).second;
        }
        return false;
    }
    bool key(std::string_view name) override {
        key_.assign(name);
        return true;
    }
    bool start_object() override { return !std::exchange(in_object_, true) && !done_; }
    bool end_object() override {
        done_ = true;
        return true;
    }
    bool start_array() override { return false; }
    bool end_array() override { return false; }

private:
    Map& out_;
    std::string key_;
    bool in_object_ = false;
    bool done_ = false;
};

// Stored texts may hold U+0000 and escaped member names (the encoder escapes what JSON needs);
// bytes that are not UTF-8 were never read back (Poco refused them too). A duplicate member, an integer outside int64
// or a boolean for a number means the text was not written by the host, and is refused rather than guessed at.
template <typename Map>
std::optional<Map> decode_flat(const std::string& text) {
    Map out;
    FlatObjectSink<Map> sink(out);
    const json::ReadReport report = json::read_events(text, {.depth_max = 1, .nul_characters = true}, sink);
    if (report.failure || report.duplicate_name) return std::nullopt;
    return out;
}

// The plain case of a stored text, which is nearly every text the host wrote: one flat object
// whose member names and string values are printable ASCII without escapes, and whose numbers
// are plain int64 integers. Anything else (an escape, a byte outside printable ASCII, a nested
// value, a duplicate member, a number that is not plainly an int64, a malformed text) is not
// decided here: decode_flat reads it, refuses what it must, and its answer stands.
//
// A second reader of one format, kept because the same run of billing_json_bench shows the
// general reader about three times slower on these texts (BM_StoredAttributesAndTerms), and the
// sweeper reads two of them for every order of a batch. json_codec_test checks that both give
// the same answer, on the texts this one takes and on those it leaves to the other.
class PlainObjectReader {
public:
    explicit PlainObjectReader(std::string_view text) : text_(text) {}

    template <typename Map>
    std::optional<Map> read() {
        Map out;
        skip_space();
        if (!take('{')) return std::nullopt;
        skip_space();
        if (!take('}')) {
            while (true) {
                std::string key;
                if (!read_value(key)) return std::nullopt;
                skip_space();
                if (!take(':')) return std::nullopt;
                skip_space();
                typename Map::mapped_type value{};
                if (!read_value(value) || !out.emplace(std::move(key), std::move(value)).second) return std::nullopt;
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

private:
    bool read_value(std::string& out) {
        if (!take('"')) return false;
        const std::size_t begin = at_;
        while (at_ < text_.size() && text_[at_] != '"') {
            const auto c = static_cast<unsigned char>(text_[at_]);
            if (c < 0x20 || c > 0x7E || c == '\\') return false;
            ++at_;
        }
        if (at_ == text_.size()) return false;
        out.assign(text_.substr(begin, at_ - begin));
        ++at_;  // the closing quote
        return true;
    }

    bool read_value(std::int64_t& out) {
        const std::size_t begin = at_;
        if (at_ < text_.size() && text_[at_] == '-') ++at_;
        const std::size_t digits = at_;
        while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
        const std::size_t count = at_ - digits;
        // A leading zero only as the whole number 0 ("-0" and "007" are left to the general reader).
        if (count == 0 || (text_[digits] == '0' && (count > 1 || digits > begin))) return false;
        const auto [end, error] = std::from_chars(text_.data() + begin, text_.data() + at_, out);
        return error == std::errc() && end == text_.data() + at_;
    }

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

template <typename Map>
std::optional<Map> decode(const std::string& text, StoredTextReader reader) {
    if (reader == StoredTextReader::plain_first) {
        if (auto plain = PlainObjectReader(text).read<Map>()) return plain;
    }
    return decode_flat<Map>(text);
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

std::optional<sdk::Attributes> decode_attributes(const std::string& text, StoredTextReader reader) {
    return decode<sdk::Attributes>(text, reader);
}

std::optional<sdk::Numbers> decode_numbers(const std::string& text, StoredTextReader reader) {
    return decode<sdk::Numbers>(text, reader);
}

}  // namespace billing::json_codec
