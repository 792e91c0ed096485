// The configuration as an operator meets it: a valid file is read into typed values, and every
// mistake is refused as one line "file:line:col: key: what is wrong".
#include <gtest/gtest.h>

#include "config.hpp"

namespace refund_until_used {
namespace {

std::string refused(const std::string& text) {
    const ParsedConfig parsed = parse_config(text, "voucher.toml");
    EXPECT_FALSE(parsed.config.has_value()) << text;
    return parsed.errors;
}

TEST(RefundUntilUsedConfig, ValuesAreReadAtTheEndsOfTheirRanges) {
    const ParsedConfig parsed =
        parse_config("[voucher]\nprice_minor = 1000000000000\nvalid_days = 3650\n", "voucher.toml");
    ASSERT_TRUE(parsed.config) << parsed.errors;
    EXPECT_EQ(parsed.config->price_minor, 1'000'000'000'000);
    EXPECT_EQ(parsed.config->valid_ms, 3650 * billing::sdk::ms_per_day);

    const ParsedConfig never_expires = parse_config("[voucher]\nprice_minor = 0\n", "voucher.toml");
    ASSERT_TRUE(never_expires.config) << never_expires.errors;
    EXPECT_EQ(never_expires.config->valid_ms, 0);
}

TEST(RefundUntilUsedConfig, MistakesAreRefusedAtTheirPositionWithTheKey) {
    EXPECT_EQ(refused("[voucher]\nprice_minor = 5.0\n"),
              "voucher.toml:2:15: voucher.price_minor: expected an integer in 0..1000000000000 (minor units), got a "
              "floating-point number");
    EXPECT_EQ(refused("[voucher]\nprice_minor = 1000000000001\n"),
              "voucher.toml:2:15: voucher.price_minor: 1000000000001 is out of range; allowed 0..1000000000000 "
              "(minor units)");
    EXPECT_EQ(refused("[voucher]\nprice_minor = 5\nvalid_days = 0\n"),
              "voucher.toml:3:14: voucher.valid_days: 0 is out of range; allowed 1..3650 (days)");
    EXPECT_EQ(refused("[voucher]\nprice_minor = 5\nvalid_days = 3651\n"),
              "voucher.toml:3:14: voucher.valid_days: 3651 is out of range; allowed 1..3650 (days)");
    EXPECT_EQ(refused("[voucher]\nprise_minor = 5\n"),
              "voucher.toml:1:1: voucher.price_minor: required key is missing in [voucher]\n"
              "voucher.toml:2:1: voucher.prise_minor: unknown key; allowed in [voucher]: price_minor, valid_days");
    EXPECT_EQ(refused(""), "voucher.toml:1:1: voucher: required table is missing at the top level");
    EXPECT_EQ(refused("[voucher\n"),
              "voucher.toml:1:9: syntax error: Error while parsing table header: expected ']', saw '\\n'");
}

}  // namespace
}  // namespace refund_until_used
