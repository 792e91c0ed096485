// configure(): the whole document is validated; each problem is reported as
// "file:line:col: key: what is wrong", and a refused document leaves the previous one in force.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

using ::testing::HasSubstr;

// test_config() line by line, for tests that change one line:
//  1 [activation]                             9 [activation.prices.services.whatsapp]
//  2 window_s = 1200                         10 countries = { us = 300 }
//  3 cancel_from_s = 120                     11 [rental]
//  4 [activation.prices]                     12 min_hours = 24
//  5 default_minor = 150                     13 max_hours = 1344
//  6 [activation.prices.services.telegram]   14 cancel_window_s = 1200
//  7 default_minor = 120                     15 price_per_day_minor = 500
//  8 countries = { us = 250, gb = 200 }
std::string with_line(int line, const std::string& replacement) {
    std::istringstream in(test_config());
    std::string text;
    std::string current;
    for (int number = 1; std::getline(in, current); ++number) {
        text += (number == line ? replacement : current) + "\n";
    }
    return text;
}

class OtpDeskConfig : public ::testing::Test {
protected:
    void SetUp() override { configure_or_fail(policy_); }

    // Configures `text` expecting a refusal; returns the message.
    std::string refused(const std::string& text) {
        const ConfigResult result = policy_.configure(text, "test.toml");
        EXPECT_FALSE(result.ok) << "accepted:\n" << text;
        return result.message;
    }

    // The configuration of SetUp() is still the one in force.
    void expect_old_config_in_force() const {
        const Quote quote = policy_.quote(activation_request("telegram", "us"), at_time(t0));
        ASSERT_TRUE(quote.allowed) << quote.message;
        EXPECT_EQ(quote.price_minor, 250);
        EXPECT_EQ(quote.terms.at("window_ms"), 20 * ms_per_minute);
    }

    OtpDeskPolicy policy_;
};

TEST(OtpDeskConfigShipped, TheShippedFileIsValidAndSaysWhatTheProductTableSays) {
    std::ifstream file(OTPDESK_SHIPPED_CONFIG);
    ASSERT_TRUE(file) << OTPDESK_SHIPPED_CONFIG;
    std::stringstream text;
    text << file.rdbuf();
    OtpDeskPolicy policy;
    const ConfigResult result = policy.configure(text.str(), "otpdesk.toml");
    ASSERT_TRUE(result.ok) << result.message;
    const Quote activation = policy.quote(activation_request("telegram", "us"), at_time(t0));
    EXPECT_EQ(activation.price_minor, 250);
    EXPECT_EQ(activation.terms, (Numbers{{"window_ms", 20 * ms_per_minute}, {"cancel_from_ms", 2 * ms_per_minute}}));
    EXPECT_EQ(policy.quote(rental_request(24), at_time(t0)).price_minor, 500);
    EXPECT_EQ(policy.quote(rental_request(23), at_time(t0)).code, "invalid_duration");
    EXPECT_TRUE(policy.quote(rental_request(1344), at_time(t0)).allowed);
    EXPECT_EQ(policy.quote(rental_request(1345), at_time(t0)).code, "invalid_duration");
}

TEST(OtpDeskConfigNone, QuoteIsRefusedUntilAConfigurationIsAccepted) {
    OtpDeskPolicy policy;
    EXPECT_EQ(policy.quote(activation_request("telegram", "us"), at_time(t0)).code, "not_configured");
    EXPECT_FALSE(policy.configure("[activation]\nwindow_s = 0\n", "test.toml").ok);
    EXPECT_EQ(policy.quote(rental_request(24), at_time(t0)).code, "not_configured");
    EXPECT_TRUE(policy.configure(test_config(), "test.toml").ok);
    EXPECT_TRUE(policy.quote(rental_request(24), at_time(t0)).allowed);
}

TEST_F(OtpDeskConfig, UnknownKeyIsRefusedAtItsPosition) {
    EXPECT_EQ(
        refused(with_line(3, "windw_s = 5")),
        "test.toml:3:1: activation.windw_s: unknown key; allowed in [activation]: window_s, cancel_from_s, prices");
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, UnknownKeysAreRefusedInEveryTable) {
    EXPECT_EQ(refused(with_line(7, "default_price = 120")),
              "test.toml:7:1: activation.prices.services.telegram.default_price: unknown key; allowed in "
              "[activation.prices.services.telegram]: default_minor, countries");
    EXPECT_EQ(refused(test_config() + "[extras]\nx = 1\n"),
              "test.toml:16:2: extras: unknown key; allowed at the top level: activation, rental, support, disputes");
    EXPECT_EQ(refused(with_line(15, "price_per_day_minor = 500\nprice_per_hour_minor = 20")),
              "test.toml:16:1: rental.price_per_hour_minor: unknown key; allowed in [rental]: min_hours, max_hours, "
              "cancel_window_s, price_per_day_minor");
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, WrongTypeIsRefusedAtTheValue) {
    EXPECT_EQ(refused(with_line(2, "window_s = \"1200\"")),
              "test.toml:2:12: activation.window_s: expected an integer in 1..604800 (seconds), got a string");
    EXPECT_EQ(
        refused(with_line(2, "window_s = 1200.0")),
        "test.toml:2:12: activation.window_s: expected an integer in 1..604800 (seconds), got a floating-point number");
    EXPECT_EQ(refused(with_line(10, "countries = { us = true }")),
              "test.toml:10:20: activation.prices.services.whatsapp.countries.us: expected an integer in "
              "0..1000000000000 (minor units), got a boolean");
    EXPECT_EQ(refused(with_line(11, "[[rental]]")), "test.toml:11:1: rental: expected a table, got an array");
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, OutOfRangeIsRefusedAtTheValue) {
    EXPECT_EQ(refused(with_line(2, "window_s = 0")),
              "test.toml:2:12: activation.window_s: 0 is out of range; allowed 1..604800 (seconds)");
    EXPECT_EQ(
        refused(with_line(5, "default_minor = -1")),
        "test.toml:5:17: activation.prices.default_minor: -1 is out of range; allowed 0..1000000000000 (minor units)");
    EXPECT_EQ(refused(with_line(13, "max_hours = 87601")),
              "test.toml:13:13: rental.max_hours: 87601 is out of range; allowed 1..87600 (hours)");
    expect_old_config_in_force();
}

// Each key inside its range, and together they price the longest rental above the host's
// largest price (10^15): such a sale was a policy fault, 500 policy_violation. At 10^12 a day,
// 24000 h cost exactly 10^15 and 24001 h cost more.
TEST_F(OtpDeskConfig, TheLongestRentalMustBePricedWithinTheHostsLargestPrice) {
    const std::string day_price = "price_per_day_minor = 1000000000000";
    std::string documented_extremes = with_line(15, day_price);
    documented_extremes.replace(documented_extremes.find("max_hours = 1344"), 16, "max_hours = 87600");
    EXPECT_EQ(refused(documented_extremes),
              "test.toml:15:23: rental.price_per_day_minor: 1000000000000 prices the longest rental, "
              "rental.max_hours (87600 h), above the host's largest price of 1000000000000000 (10^15): at this "
              "day price rental.max_hours may be at most 24000");
    std::string one_hour_past = with_line(15, day_price);
    one_hour_past.replace(one_hour_past.find("max_hours = 1344"), 16, "max_hours = 24001");
    EXPECT_THAT(refused(one_hour_past), HasSubstr("may be at most 24000"));
    expect_old_config_in_force();

    std::string at_the_edge = with_line(15, day_price);
    at_the_edge.replace(at_the_edge.find("max_hours = 1344"), 16, "max_hours = 24000");
    ASSERT_TRUE(policy_.configure(at_the_edge, "test.toml").ok);
    // The longest rental at the host's latest now: priced at the limit, every timer printable.
    const Quote longest = policy_.quote(rental_request(24000), at_time(billing::sdk::now_ms_max));
    ASSERT_TRUE(longest.allowed) << longest.message;
    EXPECT_EQ(longest.price_minor, billing::sdk::amount_minor_max);
    for (const auto& timer : longest.timers) EXPECT_LE(timer.due_at_ms, billing::sdk::time_ms_max) << timer.name;
}

TEST_F(OtpDeskConfig, KeysThatMustAgreeAreChecked) {
    EXPECT_EQ(refused(with_line(3, "cancel_from_s = 1200")),
              "test.toml:3:17: activation.cancel_from_s: 1200 must be less than activation.window_s (1200)");
    EXPECT_EQ(refused(with_line(12, "min_hours = 2000")),
              "test.toml:12:13: rental.min_hours: 2000 must not exceed rental.max_hours (1344)");
    std::string short_rental = with_line(12, "min_hours = 1");
    short_rental.replace(short_rental.find("cancel_window_s = 1200"), 22, "cancel_window_s = 3600");
    EXPECT_EQ(refused(short_rental),
              "test.toml:14:19: rental.cancel_window_s: 3600 must be shorter than the shortest rental, "
              "rental.min_hours (1 h)");
    expect_old_config_in_force();
}

// Of two keys in conflict the one the operator wrote is blamed, even when it is the second.
TEST_F(OtpDeskConfig, AConflictWithADefaultIsReportedAtTheWrittenKey) {
    EXPECT_EQ(refused("[activation]\nwindow_s = 120\n[activation.prices]\ndefault_minor = 1\n"
                      "[rental]\nprice_per_day_minor = 24\n"),
              "test.toml:2:12: activation.window_s: 120 must be greater than activation.cancel_from_s (120)");
    EXPECT_EQ(refused("[activation.prices]\ndefault_minor = 1\n[rental]\nmax_hours = 23\nprice_per_day_minor = 24\n"),
              "test.toml:4:13: rental.max_hours: 23 must not be less than rental.min_hours (24)");
    configure_or_fail(policy_, "[activation]\nwindow_s = 121\n[activation.prices]\ndefault_minor = 1\n"
                               "[rental]\nprice_per_day_minor = 24\n");
}

TEST_F(OtpDeskConfig, NamesInPriceListsMustBeStoredForms) {
    EXPECT_THAT(refused(with_line(8, "countries = { USA = 250 }")),
                HasSubstr("test.toml:8:15: activation.prices.services.telegram.countries.USA: a country is two "
                          "lower-case letters"));
    EXPECT_THAT(refused(with_line(6, "[activation.prices.services.Telegram]")),
                HasSubstr("test.toml:6:29: activation.prices.services.Telegram: a service name is"));
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, MissingPricesAreRefused) {
    EXPECT_EQ(refused(with_line(15, "")),
              "test.toml:11:1: rental.price_per_day_minor: required key is missing in [rental]");
    EXPECT_EQ(refused(with_line(5, "")),
              "test.toml:4:1: activation.prices.default_minor: required key is missing in [activation.prices]");
    EXPECT_EQ(refused(""), "test.toml:1:1: activation: required table is missing at the top level\n"
                           "test.toml:1:1: rental: required table is missing at the top level");
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, SyntaxErrorNamesLineAndColumn) {
    EXPECT_THAT(refused(with_line(2, "window_s = = 3")), HasSubstr("test.toml:2:12: "));
    EXPECT_THAT(refused(with_line(3, "cancel_from_s = 99999999999999999999")), HasSubstr("test.toml:3:37: "));
    EXPECT_THAT(refused(with_line(12, "min_hours = 24\nmin_hours = 25")), HasSubstr("test.toml:13:"));
    expect_old_config_in_force();
}

// One problem, one line starting with file:line:col, even when the text quoted in it holds a line
// break: what toml++ saw, or a name from the document (found by fuzzing).
TEST_F(OtpDeskConfig, ControlCharactersInAProblemAreEscapedToKeepItOnOneLine) {
    EXPECT_EQ(refused(with_line(2, "window_s = tr")),
              "test.toml:2:14: syntax error: Error while parsing boolean: expected 'true', saw 'tr\\n'");
    EXPECT_EQ(refused(with_line(9, "[activation.prices.services.\"what\\napp\\u0001\"]")),
              "test.toml:9:29: activation.prices.services.what\\napp\\x01: a service name is 1 to 64 of a-z, 0-9, "
              "'_' and '-', e.g. telegram");
    expect_old_config_in_force();
}

TEST_F(OtpDeskConfig, EveryProblemIsReportedInDocumentOrder) {
    std::string text = with_line(2, "window_s = 0");
    text.replace(text.find("cancel_window_s = 1200"), 22, "cancel_window_s = \"x\"");
    EXPECT_EQ(refused(text + "[zzz]\n"),
              "test.toml:2:12: activation.window_s: 0 is out of range; allowed 1..604800 (seconds)\n"
              "test.toml:14:19: rental.cancel_window_s: expected an integer in 1..604800 (seconds), got a string\n"
              "test.toml:16:2: zzz: unknown key; allowed at the top level: activation, rental, support, disputes");
}

TEST_F(OtpDeskConfig, ARefusalInOneTableKeepsAllOfTheOldConfig) {
    // The activation part is valid and cheaper; the rental part is not: nothing of it applies.
    std::string text = with_line(8, "countries = { us = 999 }");
    text.replace(text.find("price_per_day_minor = 500"), 25, "price_per_day_minor = -5");
    refused(text);
    expect_old_config_in_force();
    EXPECT_EQ(policy_.quote(rental_request(24), at_time(t0)).price_minor, 500);
}

TEST_F(OtpDeskConfig, AnAcceptedConfigurationReplacesTheOldOne) {
    configure_or_fail(policy_, with_line(8, "countries = { us = 999 }"));
    EXPECT_EQ(policy_.quote(activation_request("telegram", "us"), at_time(t0)).price_minor, 999);
    EXPECT_EQ(policy_.quote(activation_request("telegram", "gb"), at_time(t0)).price_minor, 120);
}

TEST_F(OtpDeskConfig, DefaultsApplyToLeftOutWindows) {
    configure_or_fail(policy_, "[activation.prices]\ndefault_minor = 1\n[rental]\nprice_per_day_minor = 24\n");
    const Quote activation = policy_.quote(activation_request("x", "us"), at_time(t0));
    EXPECT_EQ(activation.terms, (Numbers{{"window_ms", 20 * ms_per_minute}, {"cancel_from_ms", 2 * ms_per_minute}}));
    EXPECT_EQ(policy_.quote(rental_request(23), at_time(t0)).code, "invalid_duration");
    const Quote rental = policy_.quote(rental_request(1344), at_time(t0));
    ASSERT_TRUE(rental.allowed) << rental.message;
    EXPECT_EQ(rental.price_minor, 1344);
    EXPECT_EQ(rental.terms.at("cancel_window_ms"), 20 * ms_per_minute);
}

// test_config() with its case rules spelled out after line 15:
// 16 [support]
// 17 refund_reasons = ...
// 18 [disputes]
// 19 evidence_required_after = ...
std::string with_case_rules(const std::string& reasons_line, const std::string& threshold_line) {
    return test_config() + "[support]\n" + reasons_line + "\n[disputes]\n" + threshold_line + "\n";
}

// A support refund of 1 with `reason` on a fresh activation, decided by `policy`.
std::string refund_code(const OtpDeskPolicy& policy, const std::string& reason) {
    const Life life = purchase(policy, activation_request("telegram", "us"), t0);
    return policy.decide(life.order, support_refund_event(reason, 1), at_time(after(1))).code;
}

TEST_F(OtpDeskConfig, CaseRulesDefaultToTheFourReasonsAndEvidenceAfterTwo) {
    for (const char* reason : {"number_already_registered", "requires_2fa", "provider_error", "wrong_code"}) {
        EXPECT_EQ(refund_code(policy_, reason), "ok") << reason;
    }
    EXPECT_EQ(refund_code(policy_, "goodwill"), "unknown_reason");
    const Life life = purchase(policy_, activation_request("telegram", "us"), t0);
    EXPECT_EQ(policy_.decide(life.order, dispute_opened_event(false), with_history(after(1), 1, 0)).code, "ok");
    EXPECT_EQ(policy_.decide(life.order, dispute_opened_event(false), with_history(after(1), 1, 1)).code,
              "evidence_required");
}

TEST_F(OtpDeskConfig, CaseRulesAreReadAndReplaced) {
    configure_or_fail(policy_,
                      with_case_rules("refund_reasons = [\"goodwill\", \"a\", \"" + std::string(64, 'z') + "\"]",
                                      "evidence_required_after = 1000"));
    EXPECT_EQ(refund_code(policy_, "goodwill"), "ok");
    EXPECT_EQ(refund_code(policy_, std::string(64, 'z')), "ok");
    EXPECT_EQ(refund_code(policy_, "provider_error"), "unknown_reason");
    const Life life = purchase(policy_, activation_request("telegram", "us"), t0);
    EXPECT_EQ(policy_.decide(life.order, dispute_opened_event(false), with_history(after(1), 999, 0)).code, "ok");
    EXPECT_EQ(policy_.decide(life.order, dispute_opened_event(false), with_history(after(1), 999, 1)).code,
              "evidence_required");
}

TEST_F(OtpDeskConfig, BadRefundReasonsAreRefusedAtTheirPosition) {
    const std::string threshold = "evidence_required_after = 2";
    EXPECT_EQ(refused(with_case_rules("refund_reasons = []", threshold)),
              "test.toml:17:18: support.refund_reasons: must list at least one reason");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = \"provider_error\"", threshold)),
              "test.toml:17:18: support.refund_reasons: expected an array of strings, got a string");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = [\"a\", \"b\", \"a\"]", threshold)),
              "test.toml:17:29: support.refund_reasons: \"a\" is listed twice");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = [\"ok\", \"Provider-Error\"]", threshold)),
              "test.toml:17:25: support.refund_reasons: \"Provider-Error\" is not a reason: 1 to 64 of a-z, 0-9 "
              "and '_'");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = [\"\"]", threshold)),
              "test.toml:17:19: support.refund_reasons: \"\" is not a reason: 1 to 64 of a-z, 0-9 and '_'");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = [\"" + std::string(65, 'z') + "\"]", threshold)),
              "test.toml:17:19: support.refund_reasons: \"" + std::string(64, 'z') +
                  "...\" is not a reason: 1 to 64 of a-z, 0-9 and '_'");
    EXPECT_EQ(refused(with_case_rules("refund_reasons = [\"ok\", 7]", threshold)),
              "test.toml:17:25: support.refund_reasons: a reason must be a string, got an integer");
    EXPECT_EQ(refused(with_case_rules("refund_reason = [\"ok\"]", threshold)),
              "test.toml:17:1: support.refund_reason: unknown key; allowed in [support]: refund_reasons");
    expect_old_config_in_force();
    EXPECT_EQ(refund_code(policy_, "provider_error"), "ok") << "the old case rules stay in force too";
}

TEST_F(OtpDeskConfig, EvidenceThresholdOutside0To1000IsRefusedAtItsValue) {
    const std::string reasons = "refund_reasons = [\"ok\"]";
    EXPECT_EQ(refused(with_case_rules(reasons, "evidence_required_after = -1")),
              "test.toml:19:27: disputes.evidence_required_after: -1 is out of range; allowed 0..1000");
    EXPECT_EQ(refused(with_case_rules(reasons, "evidence_required_after = 1001")),
              "test.toml:19:27: disputes.evidence_required_after: 1001 is out of range; allowed 0..1000");
    EXPECT_EQ(refused(with_case_rules(reasons, "evidence_required_after = 2.0")),
              "test.toml:19:27: disputes.evidence_required_after: expected an integer in 0..1000, got a floating-point "
              "number");
    EXPECT_EQ(refused(with_case_rules(reasons, "evidence_after = 2")),
              "test.toml:19:1: disputes.evidence_after: unknown key; allowed in [disputes]: evidence_required_after");
    configure_or_fail(policy_, with_case_rules(reasons, "evidence_required_after = 0"));
}

}  // namespace
}  // namespace otpdesk::testing
