#include "billing/http/rfc3339.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace billing::http {
namespace {

TEST(Rfc3339, FormatsEpochWithMillisecondsAndZ) {
    EXPECT_EQ(format_rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_utc(1'700'000'120'005), "2023-11-14T22:15:20.005Z");
}

TEST(Rfc3339, FormatsTimesBeforeTheEpoch) { EXPECT_EQ(format_rfc3339_utc(-1), "1969-12-31T23:59:59.999Z"); }

TEST(Rfc3339, FormatsTheEndsOfTheRange) {
    EXPECT_EQ(format_rfc3339_utc(-62167219200000), "0000-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_utc(253402300799999), "9999-12-31T23:59:59.999Z");
}

// Past either end there is no RFC 3339 form: the nearest end is printed, never a five-digit
// year or a crash (release builds printed "10000-01-01...", debug builds aborted).
TEST(Rfc3339, PrintsTimesPastEitherEndAsThatEnd) {
    EXPECT_EQ(format_rfc3339_utc(253402300800000), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339_utc(std::numeric_limits<UtcMs>::max()), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339_utc(-62167219200001), "0000-01-01T00:00:00.000Z");
    EXPECT_EQ(format_rfc3339_utc(std::numeric_limits<UtcMs>::min()), "0000-01-01T00:00:00.000Z");
}

TEST(Rfc3339, ParsesWhatItFormats) {
    for (const UtcMs at : {UtcMs{0}, UtcMs{-1}, UtcMs{1'700'000'120'005}, UtcMs{951'782'400'000}}) {
        EXPECT_EQ(parse_rfc3339_utc(format_rfc3339_utc(at)), at);
    }
}

TEST(Rfc3339, ParsesWithoutFractionAndWithShortFractions) {
    EXPECT_EQ(parse_rfc3339_utc("1970-01-01T00:00:01Z"), 1000);
    EXPECT_EQ(parse_rfc3339_utc("1970-01-01T00:00:01.5Z"), 1500);
    EXPECT_EQ(parse_rfc3339_utc("1970-01-01T00:00:01.05Z"), 1050);
    EXPECT_EQ(parse_rfc3339_utc("1970-01-01t00:00:01.005z"), 1005);
}

TEST(Rfc3339, RefusesOffsetsBadDatesAndExtraText) {
    for (const char* text :
         {"1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00", "1970-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
          "1970-01-01T24:00:00Z", "1970-01-01T00:60:00Z", "1970-01-01T00:00:60Z", "1970-01-01T00:00:00.0001Z",
          "1970-01-01T00:00:00.Z", "1970-01-01 00:00:00Z", "1970-01-01T00:00:00Zx", "", "1970-1-01T00:00:00Z",
          "+970-01-01T00:00:00Z"}) {
        EXPECT_EQ(parse_rfc3339_utc(text), std::nullopt) << text;
    }
}

TEST(Rfc3339, AcceptsLeapDay) { EXPECT_EQ(parse_rfc3339_utc("2024-02-29T00:00:00Z"), 1'709'164'800'000); }

}  // namespace
}  // namespace billing::http
