// The conformance kit against real plugin files: the correct voucher fixture passes every
// check, and each deliberately faulty copy of it (tests/conformance/fixtures) is failed with
// the fault it was built to have. Each is loaded the way the runner loads a plugin
// (load_subject: the host's real loader), with voucher.toml and voucher.declaration.toml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "billing/conformance/kit.hpp"
#include "billing/conformance/load_plugin.hpp"

namespace billing::conformance {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::Field;
using ::testing::Gt;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::uint64_t seed = 20'240'607;
constexpr std::int64_t orders = 300;
const char* const property_name = "no customer refund after a delivered code";

// voucher_<name>.so with the configuration and declaration every fixture shares.
std::optional<Subject> load(const std::string& name) {
    const fs::path sources(BILLING_CONFORMANCE_FIXTURE_SOURCE_DIR);
    PluginFiles files;
    files.plugin = fs::path(BILLING_CONFORMANCE_FIXTURE_DIR) / ("voucher_" + name + ".so");
    files.config = sources / "voucher.toml";
    files.declaration = sources / "voucher.declaration.toml";
    auto loaded = load_subject(files);
    if (!loaded.ok()) {
        ADD_FAILURE() << "voucher_" << name << " did not load: " << loaded.error().code << ": "
                      << loaded.error().message;
        return std::nullopt;
    }
    return std::move(loaded).value();
}

Report run(const Subject& subject) { return run_all(subject, Options{seed, orders}); }

// A faulty fixture differs from the good one only in its fault: it loads, is configured, and
// says who it is like the good one, so nothing it is failed for may come from those checks.
void expect_only_later_checks_fail(const Report& report) {
    EXPECT_THAT(report.failures, Each(Field(&Finding::check, Not(AnyOf("identity", "configure"))))) << report.text();
}

// A declaration is read like every configuration (the SDK's TOML reader): each mistake is one
// line "file:line:col: key: what is wrong", all of them in file order, and nothing is declared.
TEST(ConformanceDeclaration, MistakesAreReportedAtTheirPositionWithTheKey) {
    const DeclarationResult parsed = parse_declaration("[[purchase]]\n"
                                                       "product = 5\n"
                                                       "numbers = { hours = \"x\" }\n"
                                                       "colour = \"red\"\n"
                                                       "[[property]]\n"
                                                       "kind = \"no_refund_after_ever\"\n"
                                                       "name = \"p\"\n"
                                                       "product = \"code\"\n"
                                                       "[[reconfigure]]\n"
                                                       "file = \"missing.toml\"\n"
                                                       "[[extreme]]\n",
                                                       "/nowhere/d.toml");
    EXPECT_FALSE(parsed.declaration.has_value());
    EXPECT_EQ(parsed.error,
              "/nowhere/d.toml:2:11: purchase[0].product: expected a string, got an integer\n"
              "/nowhere/d.toml:3:21: purchase[0].numbers.hours: expected an integer, got a string\n"
              "/nowhere/d.toml:4:1: purchase[0].colour: unknown key; allowed in [purchase[0]]: product, attributes, "
              "numbers\n"
              "/nowhere/d.toml:6:8: property[0].kind: \"no_refund_after_ever\" is not allowed; allowed values: "
              "no_refund_after_event|no_refund_after_term\n"
              "/nowhere/d.toml:10:8: reconfigure[0].file: cannot read /nowhere/missing.toml\n"
              "/nowhere/d.toml:11:1: extreme[0].file: required key is missing in [extreme[0]]");
    EXPECT_THAT(parse_declaration("[[purchase]\n", "d.toml").error,
                ::testing::StartsWith("d.toml:1:12: syntax error: "));
    EXPECT_EQ(parse_declaration("purchase = 1\n", "d.toml").error,
              "d.toml:1:12: purchase: expected an array of tables ([[purchase]]), got an integer");
}

TEST(ConformanceKit, CorrectVoucherPasses) {
    const auto subject = load("good");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_TRUE(report.passed()) << report.text();
    // A pass must not be vacuous: every check ran (the declaration names a purchase and a
    // configuration to reconfigure to) and decisions were actually checked.
    EXPECT_THAT(report.skipped, IsEmpty()) << report.text();
    EXPECT_THAT(report.decisions_checked, Gt(0)) << report.text();
}

TEST(ConformanceKit, RefundAboveTheChargeIsFound) {
    const auto subject = load("refund_above_charge");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures, Contains(Field(&Finding::fault, "refund_exceeds_held"))) << report.text();
    expect_only_later_checks_fail(report);
}

TEST(ConformanceKit, NondeterministicDecisionIsFound) {
    const auto subject = load("nondeterministic");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures, Contains(Field(&Finding::fault, "nondeterministic_decision"))) << report.text();
    expect_only_later_checks_fail(report);
}

TEST(ConformanceKit, RefundAfterDeliveryBreaksTheDeclaredProperty) {
    const auto subject = load("refund_after_delivery");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures, Contains(AllOf(Field(&Finding::fault, "property_violated"),
                                                Field(&Finding::message, HasSubstr(property_name)))))
        << report.text();
    expect_only_later_checks_fail(report);
}

TEST(ConformanceKit, ExceptionsAreFoundEvenThoughTheGuardCatchesThem) {
    const auto subject = load("throws_on_garbage");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures, Contains(Field(&Finding::fault, "threw"))) << report.text();
    expect_only_later_checks_fail(report);
}

TEST(ConformanceKit, DecisionsByTheCurrentConfigurationAreFound) {
    const auto subject = load("terms_not_pinned");
    ASSERT_TRUE(subject.has_value());
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures, Contains(Field(&Finding::fault, "terms_not_pinned"))) << report.text();
    expect_only_later_checks_fail(report);
}

// Every key in its range, yet at the ends of the ranges a code costs 10^16: only the extremes
// check configures the policy there, and it names the host's rule the sale breaks.
TEST(ConformanceKit, ASalePricedPastTheHostsLimitAtTheExtremesIsFound) {
    const auto subject = load("priced_past_the_limit");
    ASSERT_TRUE(subject.has_value());
    EXPECT_TRUE(check_quotes(*subject).passed()) << "at voucher.toml the price is in range";
    const Report report = run(*subject);
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.failures,
                Contains(AllOf(Field(&Finding::check, "extremes"), Field(&Finding::fault, "price_out_of_range"),
                               Field(&Finding::message, HasSubstr("voucher-extreme.toml")))))
        << report.text();
    expect_only_later_checks_fail(report);
}

// Without an [[extreme]] the check cannot run: it is reported as skipped, never as passed.
TEST(ConformanceKit, ExtremesAreSkippedWithoutADeclaredExtreme) {
    auto subject = load("good");
    ASSERT_TRUE(subject.has_value());
    subject->declaration.extremes.clear();
    const Report report = check_extremes(*subject);
    EXPECT_TRUE(report.failures.empty()) << report.text();
    EXPECT_THAT(report.skipped, Contains(HasSubstr("extremes")));
}

// The simulation alone finds the property violation, prints its seed, and the same seed
// replays it byte for byte.
TEST(ConformanceKit, SimulationFailureReplaysFromItsSeed) {
    const auto subject = load("refund_after_delivery");
    ASSERT_TRUE(subject.has_value());
    const Report first = simulate(*subject, Options{seed, orders});
    const Report second = simulate(*subject, Options{seed, orders});
    EXPECT_FALSE(first.passed());
    EXPECT_THAT(first.failures,
                Contains(AllOf(Field(&Finding::check, "simulation"), Field(&Finding::fault, "property_violated"),
                               Field(&Finding::message, HasSubstr(property_name)))))
        << first.text();
    EXPECT_THAT(first.text(), HasSubstr(std::to_string(seed)));
    EXPECT_EQ(first.text(), second.text());
    EXPECT_EQ(first.decisions_checked, second.decisions_checked);
}

}  // namespace
}  // namespace billing::conformance
