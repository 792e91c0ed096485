#include "json_codec.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "billing/rules/decision_check.hpp"

namespace billing::json_codec {

namespace {

std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Poco::JSON::Object to_object(const sdk::Attributes& attributes) {
    Poco::JSON::Object object;
    for (const auto& [key, value] : attributes) object.set(key, value);
    return object;
}

Poco::JSON::Object to_object(const sdk::Numbers& numbers) {
    Poco::JSON::Object object;
    for (const auto& [key, value] : numbers) object.set(key, static_cast<Poco::Int64>(value));
    return object;
}

Poco::JSON::Array moves_array(const std::vector<sdk::MoneyMove>& moves) {
    Poco::JSON::Array array;
    for (const sdk::MoneyMove& move : moves) {
        Poco::JSON::Object item;
        item.set("kind", decision_check::move_kind_name(move.kind));
        item.set("amount_minor", static_cast<Poco::Int64>(move.amount_minor));
        array.add(item);
    }
    return array;
}

Poco::JSON::Array timers_array(const std::vector<sdk::TimerRequest>& timers) {
    Poco::JSON::Array array;
    for (const sdk::TimerRequest& timer : timers) {
        Poco::JSON::Object item;
        item.set("name", timer.name);
        item.set("due_at_ms", static_cast<Poco::Int64>(timer.due_at_ms));
        array.add(item);
    }
    return array;
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

std::string encode(const sdk::Attributes& attributes) { return stringify(to_object(attributes)); }

std::string encode(const sdk::Numbers& numbers) { return stringify(to_object(numbers)); }

std::string encode_request(const sdk::Event& event) {
    if (event.text.empty() && event.numbers.empty()) return "";
    Poco::JSON::Object object;
    object.set("text", to_object(event.text));
    object.set("numbers", to_object(event.numbers));
    return stringify(object);
}

std::string encode(const sdk::Decision& decision) {
    Poco::JSON::Object object;
    object.set("allowed", decision.allowed);
    object.set("code", decision.code);
    object.set("message", decision.message);
    if (decision.available_at_ms) {
        object.set("available_at_ms", static_cast<Poco::Int64>(*decision.available_at_ms));
    }
    object.set("new_state", decision.new_state);
    object.set("moves", moves_array(decision.moves));
    object.set("add_timers", timers_array(decision.add_timers));
    Poco::JSON::Array drops;
    for (const std::string& name : decision.drop_timers) drops.add(name);
    object.set("drop_timers", drops);
    object.set("set_attributes", to_object(decision.set_attributes));
    object.set("set_terms", to_object(decision.set_terms));
    object.set("outcome", decision.outcome);
    return stringify(object);
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
