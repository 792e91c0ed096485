#include "billing/core/json_reader.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace billing::json {
namespace {

ReadReport report_of(std::string_view text, std::size_t depth_max = 8) {
    ReadReport report;
    (void)read(text, {.depth_max = depth_max}, report);
    return report;
}

Value value_of(std::string_view text) {
    ReadReport report;
    Value value = read(text, {}, report);
    EXPECT_TRUE(report.clean()) << text << ": " << (report.failure ? report.failure->message : "a finding");
    return value;
}

TEST(JsonReader, DepthAtTheLimitIsReadOneMoreIsTooDeep) {
    EXPECT_FALSE(report_of(R"({"a":[{"b":[]}]})", 4).failure);
    const ReadReport deep = report_of(R"({"a":[{"b":[[]]}]})", 4);
    ASSERT_TRUE(deep.failure);
    EXPECT_EQ(deep.failure->kind, ReadFailure::Kind::too_deep);
    EXPECT_FALSE(report_of(R"({"a":"[[[{{{\"[[["})", 1).failure);  // brackets in strings are text
}

TEST(JsonReader, AMillionOpenBracketsNeitherRecurseNorGrowPastTheLimit) {
    EXPECT_EQ(report_of(std::string(1'000'000, '['), 3).failure->kind, ReadFailure::Kind::too_deep);
    // With no practical bound the iterative reader still does not recurse: the text just ends.
    struct Ignore final : Sink {
        bool null() override { return true; }
        bool boolean(bool) override { return true; }
        bool integer(std::int64_t) override { return true; }
        bool big_integer(std::string_view) override { return true; }
        bool number(double) override { return true; }
        bool string(std::string_view) override { return true; }
        bool key(std::string_view) override { return true; }
        bool start_object() override { return true; }
        bool end_object() override { return true; }
        bool start_array() override { return true; }
        bool end_array() override { return true; }
    } ignore;
    const ReadReport unbounded =
        read_events(std::string(1'000'000, '['), {.depth_max = std::numeric_limits<std::size_t>::max()}, ignore);
    ASSERT_TRUE(unbounded.failure);
    EXPECT_EQ(unbounded.failure->kind, ReadFailure::Kind::syntax);
}

TEST(JsonReader, ATreeIsNeverDeeperThanItsOwnBound) {
    ReadReport report;
    (void)read(std::string(100'000, '['), {.depth_max = std::numeric_limits<std::size_t>::max()}, report);
    ASSERT_TRUE(report.failure);
    EXPECT_EQ(report.failure->kind, ReadFailure::Kind::too_deep);
}

TEST(JsonReader, DuplicatePathNamesArrayIndexes) {
    EXPECT_EQ(report_of(R"({"items":[{"x":1},{"x":1,"x":2}]})").duplicate_name, "items[1].x");
    EXPECT_EQ(report_of(R"({"a":1,"a":2})").duplicate_name, "a");
}

TEST(JsonReader, DuplicatesAmongManyMembersAreFound) {
    std::string text = "{";
    for (int i = 0; i < 5000; ++i) text += "\"m" + std::to_string(i) + "\":1,";
    EXPECT_FALSE(report_of(text + "\"last\":1}").duplicate_name);
    EXPECT_EQ(report_of(text + "\"m17\":1}").duplicate_name, "m17");
}

TEST(JsonReader, SameNameInSiblingObjectsOrAsAValueIsNoDuplicate) {
    EXPECT_TRUE(report_of(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":1}]})").clean());
    EXPECT_TRUE(report_of(R"({"a":"a","b":["a","a"]})").clean());
}

TEST(JsonReader, EscapedMemberNameIsReportedAsWritten) {
    EXPECT_EQ(report_of(R"({"a\"b":1})").escaped_name, "a\\\"b");
    EXPECT_EQ(report_of(R"({"x":{"ok":1, "n\u0061me":2}})").escaped_name, "x.n\\u0061me");
    EXPECT_TRUE(report_of(R"({"ab":"c\"d", "e" : "\u0041"})").clean());
}

TEST(JsonReader, IntegersAreToldFromBigIntegersAndNumbers) {
    const Value v = value_of(
        R"({"max":9223372036854775807,"min":-9223372036854775808,"big":9223372036854775808,)"
        R"("low":-9223372036854775809,"u64":18446744073709551616,"frac":1.5,"exp":1e2,"small":1e-400,"zero":-0})");
    EXPECT_EQ(v.find("max")->kind, Value::Kind::integer);
    EXPECT_EQ(v.find("max")->integer, INT64_MAX);
    EXPECT_EQ(v.find("min")->integer, INT64_MIN);
    EXPECT_EQ(v.find("big")->kind, Value::Kind::big_integer);
    EXPECT_EQ(v.find("big")->text, "9223372036854775808");
    EXPECT_EQ(v.find("low")->text, "-9223372036854775809");
    EXPECT_EQ(v.find("u64")->kind, Value::Kind::big_integer);
    EXPECT_EQ(v.find("frac")->kind, Value::Kind::number);
    EXPECT_EQ(v.find("exp")->number, 100.0);
    EXPECT_EQ(v.find("small")->number, 0.0);
    EXPECT_EQ(v.find("zero")->kind, Value::Kind::integer);
    EXPECT_EQ(v.find("zero")->integer, 0);
}

TEST(JsonReader, NumbersNoDoubleHoldsAreTooBigWithTheirPath) {
    const ReadReport exponent = report_of(R"({"a":{"b":1e400}})");
    ASSERT_TRUE(exponent.failure);
    EXPECT_EQ(exponent.failure->kind, ReadFailure::Kind::too_big);
    EXPECT_EQ(exponent.failure->message, "a number too large for a double");
    EXPECT_EQ(exponent.failure->path, "a.b");
    const ReadReport digits = report_of(R"({"a":[1,2,)" + std::string(400, '9') + "]}");
    ASSERT_TRUE(digits.failure);
    EXPECT_EQ(digits.failure->message, "an integer outside the 64-bit range");
    EXPECT_EQ(digits.failure->path, "a[2]");
}

TEST(JsonReader, StringsKeepNulWhenAllowedAndOrder) {
    EXPECT_TRUE(report_of(R"({"b":"x\u0000y"})").failure);
    EXPECT_TRUE(report_of(R"({"x\u0000y":1})").failure);
    ReadReport report;
    const Value v = read(R"({"b":"x\u0000y","a":[true,null]})", {.depth_max = 8, .nul_characters = true}, report);
    EXPECT_TRUE(report.clean());
    ASSERT_EQ(v.names, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(v.items[0].text, std::string("x\0y", 3));
    EXPECT_EQ(v.items[1].items.size(), 2U);
}

TEST(JsonReader, SyntaxErrorsSayWhatAndWhere) {
    const ReadReport missing = report_of(R"({"a" 1})");
    ASSERT_TRUE(missing.failure);
    EXPECT_EQ(missing.failure->kind, ReadFailure::Kind::syntax);
    EXPECT_EQ(missing.failure->offset, 5U);
    EXPECT_EQ(missing.failure->message, "Missing a colon after a name of object member.");
    EXPECT_TRUE(report_of("{} {}").failure);
    EXPECT_TRUE(report_of("").failure);
    EXPECT_TRUE(report_of("[1,]").failure);
    EXPECT_TRUE(report_of("01").failure);
    EXPECT_TRUE(report_of("NaN").failure);
}

TEST(JsonReader, NulBytesAndBadUtf8AreRefused) {
    EXPECT_TRUE(report_of(std::string("{}\0", 3)).failure);
    EXPECT_TRUE(report_of(std::string("{\"a\":\"x\0\"}", 10)).failure);
    EXPECT_TRUE(report_of("{\"a\":\"\xC3\"}").failure);
    EXPECT_TRUE(report_of("{\"a\":\"\xED\xA0\x80\"}").failure);  // an encoded surrogate
    EXPECT_FALSE(report_of("{\"a\":\"\xC3\xA9\"}").failure);
    // Surrogates written as escapes: a pair is one character, a lone one none.
    EXPECT_FALSE(report_of(R"({"a":"\ud83d\ude00"})").failure);
    for (const char* lone : {R"({"a":"\ude00"})", R"({"a":"x\udfff"})", R"({"\udc00":1})", R"({"a":"\ud83d"})"}) {
        ASSERT_TRUE(report_of(lone).failure) << lone;
        EXPECT_EQ(report_of(lone).failure->kind, ReadFailure::Kind::syntax) << lone;
    }
}

TEST(JsonReader, AScalarAtTheTopIsOneValue) {
    EXPECT_EQ(value_of("42").integer, 42);
    EXPECT_EQ(value_of(" \"s\" ").text, "s");
}

}  // namespace
}  // namespace billing::json
