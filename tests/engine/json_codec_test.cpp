// The host's JSON encoders write by hand exactly what Poco::JSON::Object::stringify wrote for
// the same values (every event stored before them was written by Poco), so that one table never
// holds two spellings of the same decision.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "billing/rules/decision_check.hpp"
#include "billing/storage/json_codec.hpp"

namespace billing::test {
namespace {

// The encoders as they were, through Poco's objects: the reference.
std::string stringify(const Poco::JSON::Object& object) {
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Poco::JSON::Object object_of(const sdk::Attributes& attributes) {
    Poco::JSON::Object object;
    for (const auto& [key, value] : attributes) object.set(key, value);
    return object;
}

Poco::JSON::Object object_of(const sdk::Numbers& numbers) {
    Poco::JSON::Object object;
    for (const auto& [key, value] : numbers) object.set(key, static_cast<Poco::Int64>(value));
    return object;
}

std::string poco_decision(const sdk::Decision& d) {
    Poco::JSON::Object object;
    object.set("allowed", d.allowed);
    object.set("code", d.code);
    object.set("message", d.message);
    if (d.available_at_ms) object.set("available_at_ms", static_cast<Poco::Int64>(*d.available_at_ms));
    object.set("new_state", d.new_state);
    Poco::JSON::Array moves;
    for (const sdk::MoneyMove& move : d.moves) {
        Poco::JSON::Object item;
        item.set("kind", decision_check::move_kind_name(move.kind));
        item.set("amount_minor", static_cast<Poco::Int64>(move.amount_minor));
        moves.add(item);
    }
    object.set("moves", moves);
    Poco::JSON::Array timers;
    for (const sdk::TimerRequest& timer : d.add_timers) {
        Poco::JSON::Object item;
        item.set("name", timer.name);
        item.set("due_at_ms", static_cast<Poco::Int64>(timer.due_at_ms));
        timers.add(item);
    }
    object.set("add_timers", timers);
    Poco::JSON::Array drops;
    for (const std::string& name : d.drop_timers) drops.add(name);
    object.set("drop_timers", drops);
    object.set("set_attributes", object_of(d.set_attributes));
    object.set("set_terms", object_of(d.set_terms));
    object.set("outcome", d.outcome);
    return stringify(object);
}

std::string poco_request(const sdk::Event& e) {
    if (e.text.empty() && e.numbers.empty()) return "";
    Poco::JSON::Object object;
    object.set("text", object_of(e.text));
    object.set("numbers", object_of(e.numbers));
    return stringify(object);
}

// The decoders as they were: Poco's parser alone.
Poco::JSON::Object::Ptr poco_parse(const std::string& text) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {  // Poco::Exception is one
        return nullptr;
    }
}

std::optional<sdk::Attributes> poco_attributes(const std::string& text) {
    const auto object = poco_parse(text);
    if (!object) return std::nullopt;
    sdk::Attributes out;
    for (const auto& [key, value] : *object) {
        if (!value.isString()) return std::nullopt;
        out[key] = value.extract<std::string>();
    }
    return out;
}

std::optional<sdk::Numbers> poco_numbers(const std::string& text) {
    const auto object = poco_parse(text);
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

// Every character JSON, Poco and the databases treat specially: quotes, backslash, slash,
// control characters, DEL, 2- to 4-byte UTF-8, an invalid UTF-8 byte, NUL.
const std::string awkward = std::string("it's \"q\" back\\slash a/b \b\f\n\r\t \x01\x1f\x7f ü € 😀 \xff end") +
                            std::string(1, '\0') + ":p1 X'41'";

TEST(JsonCodec, AnEmptyDecisionIsWrittenAsPocoWroteIt) {
    const sdk::Decision d;
    EXPECT_EQ(poco_decision(d), json_codec::encode(d));
}

TEST(JsonCodec, AFullDecisionIsWrittenAsPocoWroteIt) {
    sdk::Decision d;
    d.allowed = true;
    d.code = "refunded";
    d.message = awkward;
    d.available_at_ms = std::numeric_limits<std::int64_t>::min();
    d.new_state = "expired";
    d.outcome = "refunded " + awkward;
    d.moves = {{sdk::MoveKind::refund, 1}, {sdk::MoveKind::capture, 1'000'000'000'000'000}};
    d.add_timers = {{"expire", std::numeric_limits<std::int64_t>::max()}, {awkward, 0}};
    d.drop_timers = {"auto_refund", awkward, ""};
    d.set_attributes = {{"note", awkward}, {awkward, ""}, {"", "empty key"}, {"Z", "upper before lower"}};
    d.set_terms = {{"window_ms", -1}, {awkward, 0}};
    EXPECT_EQ(poco_decision(d), json_codec::encode(d));
}

TEST(JsonCodec, ADeniedDecisionWithoutAvailabilityIsWrittenAsPocoWroteIt) {
    sdk::Decision d;
    d.allowed = false;
    d.code = "too_early";
    d.available_at_ms = 120'000;
    EXPECT_EQ(poco_decision(d), json_codec::encode(d));
    d.available_at_ms.reset();
    EXPECT_EQ(poco_decision(d), json_codec::encode(d));
}

TEST(JsonCodec, AttributesTermsAndRequestsAreWrittenAsPocoWroteThem) {
    const sdk::Attributes attributes{{"service", "facebook"}, {awkward, awkward}, {"a", ""}};
    const sdk::Numbers numbers{{"amount_minor", 500}, {"min", std::numeric_limits<std::int64_t>::min()}};
    EXPECT_EQ(stringify(object_of(attributes)), json_codec::encode(attributes));
    EXPECT_EQ(stringify(object_of(numbers)), json_codec::encode(numbers));
    EXPECT_EQ("{}", json_codec::encode(sdk::Attributes{}));
    EXPECT_EQ("{}", json_codec::encode(sdk::Numbers{}));

    sdk::Event event;
    EXPECT_EQ("", json_codec::encode_request(event)) << "an event without fields has no request text";
    event.text = attributes;
    EXPECT_EQ(poco_request(event), json_codec::encode_request(event));
    event.numbers = numbers;
    EXPECT_EQ(poco_request(event), json_codec::encode_request(event));
    event.text.clear();
    EXPECT_EQ(poco_request(event), json_codec::encode_request(event));
}

TEST(JsonCodec, WrittenAttributesAndTermsReadBackEqual) {
    // Valid UTF-8 only: Poco's parser refuses the invalid byte, as it always did (and it cuts a
    // key at a NUL, so the awkward key has none).
    std::string valid = awkward;
    valid.erase(valid.find('\xff'), 1);
    const sdk::Attributes attributes{{"note", valid}, {"it's \"q\" back\\slash a/b \n ü 😀 :p1", "x"}};
    const sdk::Numbers numbers{{"window_ms", 1'200'000}, {"min", std::numeric_limits<std::int64_t>::min()}};
    ASSERT_NE(std::string::npos, valid.find(std::string(1, '\0')));
    EXPECT_EQ(attributes, json_codec::decode_attributes(json_codec::encode(attributes)));
    EXPECT_EQ(numbers, json_codec::decode_numbers(json_codec::encode(numbers)));
}

// Texts the plain reader takes and texts it must leave to the general reader: whatever the path,
// the result is what Poco alone gave (where Poco did not guess).
const std::vector<std::string> stored_texts = {
    "{}", " { } ", "{\"service\":\"facebook\",\"country\":\"de\"}", "{ \"a\" : \"\" ,\n\t\"b\":\"x y/z:{}[],\"\r}",
    "{\"window_ms\":1200000,\"min\":-9223372036854775808,\"max\":9223372036854775807}", "{\"zero\":0}", "{\"neg\":-5}",
    // left to Poco, or refused by both
    "{\"over\":9223372036854775808}", "{\"under\":-9223372036854775809}", "{\"lead\":007}", "{\"negzero\":-0}",
    "{\"f\":1.5}", "{\"e\":1e3}", "{\"plus\":+1}", "{\"s\":\"1\"}", "{\"n\":1}", "{\"esc\":\"a\\\"b\"}",
    "{\"esc\":\"a\\\\b\"}", "{\"u\":\"\\u00fc\"}", "{\"utf8\":\"ü😀\"}", "{\"nested\":{\"a\":\"b\"}}", "{\"array\":[1]}",
    "{\"null\":null}", "{\"bool\":true}", "{\"dup\":\"a\",\"dup\":\"b\"}", "{\"dup\":1,\"dup\":2}", "{\"a\":\"b\",}",
    "{\"a\":\"b\"} x", "{\"a\" \"b\"}", "{\"a\":\"b\"", "{\"a\":\"b", "{\"a", "{", "", "[]", "\"text\"",
    "{\"tab\":\"a\tb\"}", "{\"del\":\"a\x7f\"}", "{a:\"b\"}", "{\"a\":'b'}"};

// Where the reader is stricter than Poco was: a duplicate member (Poco kept the last), an integer
// outside int64 (Poco clamped it) and a boolean for a number (Poco read 1) are refused.
const std::vector<std::string> refused_where_poco_guessed = {"{\"dup\":\"a\",\"dup\":\"b\"}", "{\"dup\":1,\"dup\":2}",
                                                             "{\"under\":-9223372036854775809}", "{\"bool\":true}"};

bool poco_guessed(const std::string& text) {
    return std::find(refused_where_poco_guessed.begin(), refused_where_poco_guessed.end(), text) !=
           refused_where_poco_guessed.end();
}

TEST(JsonCodec, StoredAttributesReadAsPocoAloneReadThem) {
    for (const std::string& text : stored_texts) {
        if (poco_guessed(text)) continue;
        EXPECT_EQ(poco_attributes(text), json_codec::decode_attributes(text)) << text;
    }
    for (const std::string& text : refused_where_poco_guessed) {
        EXPECT_EQ(std::nullopt, json_codec::decode_attributes(text)) << text;
    }
    EXPECT_EQ((sdk::Attributes{{"service", "facebook"}, {"country", "de"}}),
              json_codec::decode_attributes(stored_texts[2]));
}

TEST(JsonCodec, StoredTermsReadAsPocoAloneReadThem) {
    for (const std::string& text : stored_texts) {
        if (poco_guessed(text)) continue;
        EXPECT_EQ(poco_numbers(text), json_codec::decode_numbers(text)) << text;
    }
    for (const std::string& text : refused_where_poco_guessed) {
        EXPECT_EQ(std::nullopt, json_codec::decode_numbers(text)) << text;
    }
    EXPECT_EQ((sdk::Numbers{{"window_ms", 1'200'000},
                            {"min", std::numeric_limits<std::int64_t>::min()},
                            {"max", std::numeric_limits<std::int64_t>::max()}}),
              json_codec::decode_numbers(stored_texts[4]));
    // Past int64: refused (Poco's conversion used to throw out of the decoder).
    EXPECT_EQ(std::nullopt, json_codec::decode_numbers("{\"over\":9223372036854775808}"));
}

// The plain reader only ever answers as the general reader would: on the texts it takes, and on
// those it leaves (a refusal included).
TEST(JsonCodec, ThePlainReaderAnswersAsTheGeneralReaderDoes) {
    using json_codec::StoredTextReader;
    std::vector<std::string> texts = stored_texts;
    texts.insert(texts.end(), {"{\"a\":\"b\",\"c\":\"d\\u0000\"}", "{\"a\":1,\"b\":-0}", "{\"a\":\"\u00fc\"}",
                               "{\"a\":1 , \"b\" :2}\n", std::string("{\"a\":1}\0", 8), "{\"a\":-}", "{\"a\":1,}"});
    for (const std::string& text : texts) {
        EXPECT_EQ(json_codec::decode_attributes(text, StoredTextReader::general), json_codec::decode_attributes(text))
            << text;
        EXPECT_EQ(json_codec::decode_numbers(text, StoredTextReader::general), json_codec::decode_numbers(text))
            << text;
    }
    EXPECT_EQ((sdk::Numbers{{"a", 1}, {"b", 2}}), json_codec::decode_numbers(texts[texts.size() - 4]));
}

}  // namespace
}  // namespace billing::test
