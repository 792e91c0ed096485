#include "billing/http/json_input.hpp"

#include <gtest/gtest.h>

namespace billing::http {
namespace {

constexpr IntegerRange money{1, 1'000'000'000'000'000};
constexpr IntegerRange any_int64{INT64_MIN, INT64_MAX};
const JsonLimits limits{};

JsonObject parsed(std::string_view body, std::initializer_list<std::string_view> fields) {
    auto object = parse_json_object(body, limits, fields);
    EXPECT_TRUE(object.ok()) << body << ": " << (object.ok() ? "" : object.error().message);
    return std::move(object).value();
}

Error refusal(std::string_view body, std::initializer_list<std::string_view> fields, const JsonLimits& l = limits) {
    auto object = parse_json_object(body, l, fields);
    EXPECT_FALSE(object.ok()) << body;
    return object.ok() ? Error{} : object.error();
}

template <class T>
Error error_of(const Result<T>& result) {
    EXPECT_FALSE(result.ok());
    return result.ok() ? Error{} : result.error();
}

std::string money_error(std::string_view body) {
    const Error e = error_of(parsed(body, {"amount_minor"}).required_money("amount_minor", money));
    EXPECT_EQ(e.code, "validation_failed") << body;
    return e.message;
}

// A body of exactly size bytes: {"note":"xxx...x"}.
std::string body_of_size(std::size_t size) { return R"({"note":")" + std::string(size - 11, 'x') + R"("})"; }

TEST(JsonInput, BodyAtTheLimitIsAcceptedOneMoreByteIs413) {
    ASSERT_EQ(body_of_size(65536).size(), 65536U);
    EXPECT_TRUE(parse_json_object(body_of_size(65536), limits, {"note"}).ok());
    const Error e = refusal(body_of_size(65537), {"note"});
    EXPECT_EQ(e.code, "payload_too_large");
    EXPECT_EQ(e.message, "the body is 65537 bytes; at most 65536 are accepted");
}

TEST(JsonInput, DepthAtTheLimitIsAcceptedOneMoreIs422) {
    EXPECT_TRUE(parse_json_object(R"({"a":{"b":{"c":{}}}})", limits, {"a"}).ok());
    EXPECT_TRUE(parse_json_object(R"({"a":[[[1]]]})", limits, {"a"}).ok());
    for (const char* deep : {R"({"a":{"b":{"c":{"d":{}}}}})", R"({"a":[[[[1]]]]})", R"({"a":[{"b":[{}]}]})"}) {
        const Error e = refusal(deep, {"a"});
        EXPECT_EQ(e.code, "validation_failed") << deep;
        EXPECT_EQ(e.message, "the body nests deeper than 4 levels") << deep;
    }
}

TEST(JsonInput, DepthCountsOnlyBracketsOutsideStrings) {
    EXPECT_TRUE(parse_json_object(R"({"a":"{{{{{[[[[[\"{"})", limits, {"a"}).ok());
}

TEST(JsonInput, ADeepBodyIsRefusedWithoutRecursion) {
    const std::string deep = std::string(30000, '[') + std::string(30000, ']');
    EXPECT_EQ(refusal(deep, {}).message, "the body nests deeper than 4 levels");
}

TEST(JsonInput, MalformedJsonIs400) {
    for (const char* body : {"{", R"({"a":1,})", R"({"a":01})", "{} x", R"({'a':1})", "{\"a\":1}\n{}", "{\"a\":nul}"}) {
        EXPECT_EQ(refusal(body, {"a"}).code, "malformed_json") << body;
    }
}

TEST(JsonInput, NulBytesAreRefusedEscapedOrRaw) {
    EXPECT_EQ(refusal(R"({"s":"a\u0000b"})", {"s"}).code, "malformed_json");
    EXPECT_EQ(refusal(std::string("{\"s\":\"a\0b\"}", 10), {"s"}).code, "malformed_json");
}

TEST(JsonInput, ALoneSurrogateEscapeIs400) {
    const Error e = refusal(R"({"s":"a\ude00"})", {"s"});
    EXPECT_EQ(e.code, "malformed_json");
    EXPECT_EQ(e.message, "the body is not JSON: The surrogate in a \\u escape is invalid. (at byte 14)");
}

TEST(JsonInput, EmptyBodyIsAnEmptyObject) { EXPECT_FALSE(parsed("", {"reason"}).has("reason")); }

TEST(JsonInput, NonObjectJsonBodiesAre422) {
    for (const char* body : {"[]", "1", R"("a")", "null", "true", "\n[{}]"}) {
        const Error e = refusal(body, {});
        EXPECT_EQ(e.code, "validation_failed") << body;
        EXPECT_EQ(e.message, "the body must be a JSON object") << body;
    }
}

TEST(JsonInput, BodiesThatAreNotJsonAre400) {
    for (const char* body : {" nul", "nope", "amount_minor=100", "<a>1</a>", "1, 2", "[1", "'a'"}) {
        const Error e = refusal(body, {});
        EXPECT_EQ(e.code, "malformed_json") << body;
    }
}

TEST(JsonInput, UnknownFieldIsNamed) {
    const Error e = refusal(R"({"amount_minor":1,"amount":1})", {"amount_minor", "currency"});
    EXPECT_EQ(e.code, "validation_failed");
    EXPECT_EQ(e.message, "amount: unknown field; the fields are: amount_minor, currency");
    EXPECT_EQ(refusal(R"({"x":1})", {}).message, "x: unknown field; the fields are: (none)");
}

TEST(JsonInput, DuplicateMemberIsRefusedNotLastWins) {
    EXPECT_EQ(refusal(R"({"amount_minor":1,"amount_minor":1000})", {"amount_minor"}).message,
              "amount_minor: appears twice");
    EXPECT_EQ(refusal(R"({"attributes":{"service":"a","service":"b"}})", {"attributes"}).message,
              "attributes.service: appears twice");
    EXPECT_TRUE(parse_json_object(R"({"a":{"x":1},"b":{"x":1}})", limits, {"a", "b"}).ok());
}

TEST(JsonInput, EscapedMemberNamesAreRefused) {
    EXPECT_EQ(refusal(R"({"amount_mino\u0072":1,"amount_minor":5})", {"amount_minor"}).message,
              "amount_mino\\u0072: member names may not hold escapes");
}

TEST(JsonInput, MoneyAcceptsIntegersInRange) {
    EXPECT_EQ(parsed(R"({"amount_minor":150})", {"amount_minor"}).required_money("amount_minor", money).value(), 150);
    EXPECT_EQ(parsed(R"({"amount_minor":1})", {"amount_minor"}).required_money("amount_minor", money).value(), 1);
    EXPECT_EQ(
        parsed(R"({"amount_minor":1000000000000000})", {"amount_minor"}).required_money("amount_minor", money).value(),
        1'000'000'000'000'000);
}

TEST(JsonInput, MoneyRefusesEverythingButAnIntegerSayingIntegerMinorUnits) {
    const std::string expected = "amount_minor: must be integer minor units (a JSON integer: 150 is 1.50) "
                                 "from 1 to 1000000000000000, not ";
    EXPECT_EQ(money_error(R"({"amount_minor":1.5})"), expected + "a number with a fraction or an exponent");
    EXPECT_EQ(money_error(R"({"amount_minor":150.0})"), expected + "a number with a fraction or an exponent");
    EXPECT_EQ(money_error(R"({"amount_minor":1e2})"), expected + "a number with a fraction or an exponent");
    EXPECT_EQ(money_error(R"({"amount_minor":"150"})"), expected + "a string");
    EXPECT_EQ(money_error(R"({"amount_minor":true})"), expected + "a boolean");
    EXPECT_EQ(money_error(R"({"amount_minor":[150]})"), expected + "an array");
    EXPECT_EQ(money_error(R"({"amount_minor":{}})"), expected + "an object");
    EXPECT_EQ(money_error(R"({"amount_minor":0})"), expected + "0");
    EXPECT_EQ(money_error(R"({"amount_minor":-1})"), expected + "-1");
    EXPECT_EQ(money_error(R"({"amount_minor":1000000000000001})"), expected + "1000000000000001");
    EXPECT_EQ(money_error(R"({"amount_minor":9223372036854775807})"), expected + "9223372036854775807");
    EXPECT_EQ(money_error(R"({"amount_minor":9223372036854775808})"), expected + "an integer outside the 64-bit range");
    EXPECT_EQ(money_error(R"({"amount_minor":18446744073709551616})"),  // Poco reads 0
              expected + "an integer outside the 64-bit range");
    EXPECT_EQ(money_error(R"({"amount_minor":-9223372036854775809})"),  // Poco reads -2^63
              expected + "an integer outside the 64-bit range");
}

TEST(JsonInput, MissingOrNullMoneyIsRequired) {
    EXPECT_EQ(money_error("{}"), "amount_minor: is required");
    EXPECT_EQ(money_error(R"({"amount_minor":null})"), "amount_minor: is required");
}

TEST(JsonInput, Int64EdgesAreExact) {
    const auto read = [](std::string_view body) { return parsed(body, {"n"}).required_integer("n", any_int64); };
    EXPECT_EQ(read(R"({"n":9223372036854775807})").value(), INT64_MAX);
    EXPECT_EQ(read(R"({"n":-9223372036854775808})").value(), INT64_MIN);
    EXPECT_EQ(read(R"({"n":-1})").value(), -1);
    EXPECT_EQ(read(R"({"n":-0})").value(), 0);
    const std::string outside = "n: must be an integer from -9223372036854775808 to 9223372036854775807, "
                                "not an integer outside the 64-bit range";
    EXPECT_EQ(error_of(read(R"({"n":9223372036854775808})")).message, outside);
    EXPECT_EQ(error_of(read(R"({"n":18446744073709551615})")).message, outside);
    EXPECT_EQ(error_of(read(R"({"n":-9223372036854775809})")).message, outside);
}

TEST(JsonInput, NumbersNoDoubleHoldsAre422) {
    const Error e = refusal(R"({"amount_minor":)" + std::string(400, '9') + "}", {"amount_minor"});
    EXPECT_EQ(e.code, "validation_failed");
    EXPECT_EQ(e.message, "amount_minor holds an integer outside the 64-bit range");
    EXPECT_EQ(refusal(R"({"amount_minor":1e400})", {"amount_minor"}).message,
              "amount_minor holds a number too large for a double");
}

TEST(JsonInput, IntegersOfAnyLengthAreStill422) {
    EXPECT_EQ(money_error(R"({"amount_minor":99999999999999999999999})"),
              "amount_minor: must be integer minor units (a JSON integer: 150 is 1.50) from 1 to 1000000000000000, "
              "not an integer outside the 64-bit range");
}

TEST(JsonInput, RangeBoundsAreInclusive) {
    constexpr IntegerRange page{1, 100};
    const auto read = [&](std::string_view body) { return parsed(body, {"limit"}).optional_integer("limit", page); };
    EXPECT_EQ(read(R"({"limit":1})").value(), 1);
    EXPECT_EQ(read(R"({"limit":100})").value(), 100);
    EXPECT_EQ(read("{}").value(), std::nullopt);
    EXPECT_EQ(error_of(read(R"({"limit":0})")).message, "limit: must be an integer from 1 to 100, not 0");
    EXPECT_EQ(error_of(read(R"({"limit":101})")).message, "limit: must be an integer from 1 to 100, not 101");
}

TEST(JsonInput, OutOfRangeIntegerInAnotherMemberDoesNotTaintThisOne) {
    const JsonObject object = parsed(R"({"a":1,"b":18446744073709551616})", {"a", "b"});
    EXPECT_EQ(object.required_integer("a", any_int64).value(), 1);
    EXPECT_FALSE(object.required_integer("b", any_int64).ok());
}

TEST(JsonInput, AMultilineStringKeepsLineBreaksAndTabsButNoOtherControlCharacter) {
    constexpr StringBounds document{1, 100, /*multiline=*/true};
    const auto read = [&](std::string_view body) { return parsed(body, {"s"}).required_string("s", document); };
    EXPECT_EQ(read(R"({"s":"[a]\nb = 1\r\n\tc = 2"})").value(), "[a]\nb = 1\r\n\tc = 2");
    EXPECT_EQ(error_of(read(R"({"s":"a\u0001b"})")).message,
              "s: must not contain control characters other than line breaks and tabs");
}

TEST(JsonInput, StringBoundsAreInclusiveInBytes) {
    constexpr StringBounds bounds{2, 4};
    const auto read = [&](std::string_view body) { return parsed(body, {"s"}).required_string("s", bounds); };
    EXPECT_EQ(read(R"({"s":"ab"})").value(), "ab");
    EXPECT_EQ(read(R"({"s":"abcd"})").value(), "abcd");
    EXPECT_EQ(error_of(read(R"({"s":"a"})")).message, "s: must be 2 to 4 bytes long, not 1");
    EXPECT_EQ(error_of(read(R"({"s":"abcde"})")).message, "s: must be 2 to 4 bytes long, not 5");
    EXPECT_EQ(read(R"({"s":"\u00e9\u00e9"})").value(), "\xc3\xa9\xc3\xa9");  // 2 characters, 4 bytes
    EXPECT_EQ(error_of(read(R"({"s":150})")).message, "s: must be a string, not an integer");
    EXPECT_EQ(error_of(read(R"({"s":"a\u0001b"})")).message, "s: must not contain control characters");
    EXPECT_EQ(error_of(read(R"({"s":"a\nb"})")).message, "s: must not contain control characters");
    EXPECT_EQ(error_of(read("{}")).message, "s: is required");
}

TEST(JsonInput, OptionalStringAndBool) {
    const JsonObject object = parsed(R"({"s":null,"b":false,"c":"x"})", {"s", "b", "c"});
    EXPECT_EQ(object.optional_string("s", {}).value(), std::nullopt);
    EXPECT_EQ(object.optional_string("c", {}).value(), "x");
    EXPECT_EQ(object.optional_bool("b").value(), false);
    EXPECT_EQ(object.optional_bool("missing").value(), std::nullopt);
    EXPECT_EQ(error_of(object.optional_bool("c")).message, "c: must be true or false, not a string");
}

TEST(JsonInput, StringMapReadsAttributes) {
    const JsonObject object = parsed(R"({"attributes":{"service":"wa","country":"DE"}})", {"attributes"});
    const auto map = object.string_map("attributes", {}, {1, 8}).value();
    EXPECT_EQ(map, (std::map<std::string, std::string>{{"country", "DE"}, {"service", "wa"}}));
    EXPECT_TRUE(parsed("{}", {"attributes"}).string_map("attributes", {}, {}).value().empty());
}

TEST(JsonInput, OfTwoFaultsTheOneFirstByNameIsReportedWhateverTheOrder) {
    for (const char* body : {R"({"m":{"b":"","a":1}})", R"({"m":{"a":1,"b":""}})"}) {
        EXPECT_EQ(error_of(parsed(body, {"m"}).string_map("m", {}, {1, 8})).message,
                  "m.a: must be a string, not an integer");
    }
    EXPECT_EQ(refusal(R"({"y":1,"x":1})", {}).message, "x: unknown field; the fields are: (none)");
}

TEST(JsonInput, StringMapBounds) {
    const MapBounds two{2, {1, 3}};
    const auto read = [&](std::string_view body) { return parsed(body, {"m"}).string_map("m", two, {1, 2}); };
    EXPECT_EQ(read(R"({"m":{"a":"x","b":"y"}})").value().size(), 2U);
    EXPECT_EQ(error_of(read(R"({"m":{"a":"x","b":"y","c":"z"}})")).message, "m: may hold at most 2 entries");
    EXPECT_EQ(error_of(read(R"({"m":{"abcd":"x"}})")).message, "m.abcd: must be 1 to 3 bytes long, not 4");
    EXPECT_EQ(error_of(read(R"({"m":{"a":"xyz"}})")).message, "m.a: must be 1 to 2 bytes long, not 3");
    EXPECT_EQ(error_of(read(R"({"m":{"a":1}})")).message, "m.a: must be a string, not an integer");
    EXPECT_EQ(error_of(read(R"({"m":["a"]})")).message, "m: must be an object, not an array");
}

TEST(JsonInput, IntegerMapRefusesFloatsAndOverflow) {
    const auto read = [](std::string_view body) {
        return parsed(body, {"numbers"}).integer_map("numbers", {}, {1, 1344});
    };
    EXPECT_EQ(read(R"({"numbers":{"duration_hours":24}})").value().at("duration_hours"), 24);
    EXPECT_EQ(error_of(read(R"({"numbers":{"duration_hours":24.0}})")).message,
              "numbers.duration_hours: must be an integer from 1 to 1344, not a number with a fraction or an exponent");
    EXPECT_EQ(error_of(read(R"({"numbers":{"duration_hours":18446744073709551616}})")).message,
              "numbers.duration_hours: must be an integer from 1 to 1344, not an integer outside the 64-bit range");
    EXPECT_EQ(error_of(read(R"({"numbers":{"duration_hours":18446744073709551640}})")).message,
              "numbers.duration_hours: must be an integer from 1 to 1344, not an integer outside the 64-bit range");
    // Only the entry that holds it is refused for it.
    EXPECT_EQ(error_of(read(R"({"numbers":{"a":24,"b":-99999999999999999999,"c":0}})")).message,
              "numbers.b: must be an integer from 1 to 1344, not an integer outside the 64-bit range");
}

}  // namespace
}  // namespace billing::http

namespace billing::http {
namespace {

std::string canonical(std::string_view body) {
    auto text = canonical_json(body, limits.depth_max);
    EXPECT_TRUE(text.has_value()) << body;
    return text.value_or("");
}

TEST(CanonicalJson, WhitespaceAndMemberOrderDoNotMatter) {
    EXPECT_EQ(canonical(R"({"amount_minor":2000})"), R"({"amount_minor":2000})");
    EXPECT_EQ(canonical(" {\n\t\"amount_minor\" :  2000 }\r\n"), R"({"amount_minor":2000})");
    EXPECT_EQ(canonical(R"({"reason":"x","amount_minor":5,"note":"n"})"),
              R"({"amount_minor":5,"note":"n","reason":"x"})");
    EXPECT_EQ(canonical(R"({"attributes":{"service":"wa","country":"us"},"product":"activation"})"),
              R"({"attributes":{"country":"us","service":"wa"},"product":"activation"})");
}

TEST(CanonicalJson, SpellingsOfOneValueAreOne) {
    EXPECT_EQ(canonical(R"({"note":"\u0041\/b"})"), R"({"note":"A/b"})");
    EXPECT_EQ(canonical(R"({"n":1E2})"), R"({"n":100})");
    EXPECT_EQ(canonical(R"({"n":100.0})"), R"({"n":100})");
    EXPECT_EQ(canonical(R"({"n":-0})"), R"({"n":0})");
    EXPECT_EQ(canonical(R"({"n":0.1})"), R"({"n":0.1})");
    EXPECT_EQ(canonical(R"({"n":9223372036854775807,"m":-9223372036854775808})"),
              R"({"m":-9223372036854775808,"n":9223372036854775807})");
    EXPECT_EQ(canonical(R"({"a":[true,false,null,"x"]})"), R"({"a":[true,false,null,"x"]})");
    EXPECT_EQ(canonical(""), "{}");
    EXPECT_EQ(canonical("  "), "{}");
}

TEST(CanonicalJson, ADifferentValueOrAnAddedMemberIsAnotherRequest) {
    EXPECT_NE(canonical(R"({"amount_minor":2000})"), canonical(R"({"amount_minor":2001})"));
    EXPECT_NE(canonical(R"({"amount_minor":2000})"), canonical(R"({"amount_minor":"2000"})"));
    EXPECT_NE(canonical(R"({"amount_minor":2000})"), canonical(R"({"amount_minor":2000,"note":null})"));
    EXPECT_NE(canonical(R"({"a":[1,2]})"), canonical(R"({"a":[2,1]})"));
    EXPECT_NE(canonical(R"({"note":"a"})"), canonical(R"({"note":"A"})"));
}

TEST(CanonicalJson, NotOneJsonValueHasNone) {
    EXPECT_FALSE(canonical_json("nope", limits.depth_max).has_value());
    EXPECT_FALSE(canonical_json("{} {}", limits.depth_max).has_value());
    EXPECT_FALSE(canonical_json(R"({"a":1)", limits.depth_max).has_value());
}

}  // namespace
}  // namespace billing::http
