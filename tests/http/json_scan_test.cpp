#include "billing/http/json_scan.hpp"

#include <gtest/gtest.h>

namespace billing::http {
namespace {

TEST(JsonScan, DepthCountsObjectsAndArrays) {
    EXPECT_EQ(scan_json("{}", 8).depth, 1U);
    EXPECT_EQ(scan_json(R"({"a":[{"b":[]}]})", 8).depth, 4U);
    EXPECT_EQ(scan_json(R"({"a":"[[[{{{"})", 8).depth, 1U);
    EXPECT_EQ(scan_json(R"({"a":"\"[[["})", 8).depth, 1U);
}

TEST(JsonScan, StopsOneLevelPastTheLimit) {
    EXPECT_EQ(scan_json(std::string(1000, '['), 3).depth, 4U);
}

TEST(JsonScan, DuplicatePathNamesArrayIndexes) {
    const JsonScan scan = scan_json(R"({"items":[{"x":1},{"x":1,"x":2}]})", 8);
    EXPECT_EQ(scan.duplicate_member, "items[1].x");
}

TEST(JsonScan, SameNameInSiblingObjectsIsNoDuplicate) {
    EXPECT_EQ(scan_json(R"({"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":1}]})", 8).duplicate_member, std::nullopt);
}

TEST(JsonScan, ValuesThatLookLikeNamesAreNotNames) {
    EXPECT_EQ(scan_json(R"({"a":"a","b":["a","a"]})", 8).duplicate_member, std::nullopt);
}

TEST(JsonScan, OutOfRangeIntegersAreTrackedByTopLevelMember) {
    const JsonScan scan = scan_json(
        R"({"ok":9223372036854775807,"low":-9223372036854775808,"big":9223372036854775808,)"
        R"("nested":{"x":[1,-9223372036854775809]},"float":1e400,"frac":18446744073709551616.5})",
        8);
    EXPECT_EQ(scan.out_of_range_members, (std::set<std::string>{"big", "nested"}));
}

TEST(JsonScan, EscapedMemberNameIsReported) {
    EXPECT_EQ(scan_json(R"({"a\"b":1})", 8).escaped_member, "a\\\"b");
    EXPECT_EQ(scan_json(R"({"ab":"c\"d"})", 8).escaped_member, std::nullopt);
}

}  // namespace
}  // namespace billing::http
