#include "json_codec.hpp"

#include <Poco/JSONString.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

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

void put_attributes(std::string& out, const sdk::Attributes& attributes) { put_object(out, attributes, put_string); }

void put_numbers(std::string& out, const sdk::Numbers& numbers) { put_object(out, numbers, put_number); }

// Appends ,"key": (or "key": first); keys are our own ASCII names, in sorted order.
void put_key(std::string& out, std::string_view key) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += key;
    out += "\":";
}

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
    out += '[';
    for (std::size_t i = 0; i < decision.add_timers.size(); ++i) {
        if (i > 0) out += ',';
        out += "{\"due_at_ms\":";
        put_number(out, decision.add_timers[i].due_at_ms);
        out += ",\"name\":";
        put_string(out, decision.add_timers[i].name);
        out += '}';
    }
    out += ']';
    put_key(out, "allowed");
    out += decision.allowed ? "true" : "false";
    if (decision.available_at_ms) {
        put_key(out, "available_at_ms");
        put_number(out, *decision.available_at_ms);
    }
    put_key(out, "code");
    put_string(out, decision.code);
    put_key(out, "drop_timers");
    out += '[';
    for (std::size_t i = 0; i < decision.drop_timers.size(); ++i) {
        if (i > 0) out += ',';
        put_string(out, decision.drop_timers[i]);
    }
    out += ']';
    put_key(out, "message");
    put_string(out, decision.message);
    put_key(out, "moves");
    out += '[';
    for (std::size_t i = 0; i < decision.moves.size(); ++i) {
        if (i > 0) out += ',';
        out += "{\"amount_minor\":";
        put_number(out, decision.moves[i].amount_minor);
        out += ",\"kind\":";
        put_string(out, decision_check::move_kind_name(decision.moves[i].kind));
        out += '}';
    }
    out += ']';
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
    const auto object = parse_object(text);
    if (!object) return std::nullopt;
    sdk::Numbers out;
    for (const auto& [key, value] : *object) {
        if (!value.isInteger()) return std::nullopt;
        out[key] = value.convert<Poco::Int64>();
    }
    return out;
}

}  // namespace billing::json_codec
