// The SDK's TOML reader (billing/toml/reader.hpp) on what billing.toml does not use: durations,
// money, conflicts between keys, the bound on listed problems, and the one-line escaping.
#include <gtest/gtest.h>

#include <billing/toml/reader.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace billing::toml_reader {
namespace {

// Reads `text`'s [t] table with `read`, returns the problems as text.
template <class Read>
std::string problems_of(const std::string& text, Read read) {
    Diagnostics diagnostics("f.toml");
    const auto document = parse(text, diagnostics);
    EXPECT_TRUE(document.has_value()) << diagnostics.text();
    if (!document) return diagnostics.text();
    TableReader reader(*document->get("t")->as_table(), "t", diagnostics);
    read(reader);
    reader.refuse_unknown_keys();
    return diagnostics.text();
}

TEST(TomlReader, DurationsAreWholeUnitsWithinRangeGivenInMilliseconds) {
    const auto read = [](TableReader& reader) {
        const auto days = reader.duration("d", TimeUnit::days, Range{1, 3650}, Presence::required);
        if (days) {
            EXPECT_EQ(days->value.ms(), days->value.count * 86'400'000);
        }
    };
    EXPECT_EQ(problems_of("[t]\nd = 3650\n", read), "");
    EXPECT_EQ(problems_of("[t]\nd = 3651\n", read), "f.toml:2:5: t.d: 3651 is out of range; allowed 1..3650 (days)");
    EXPECT_EQ(problems_of("[t]\nd = 1.5\n", read),
              "f.toml:2:5: t.d: expected an integer in 1..3650 (days), got a floating-point number");
    EXPECT_EQ(problems_of("[t]\n", read), "f.toml:1:1: t.d: required key is missing in [t]");
    // A range whose end does not fit in 64-bit milliseconds is the plugin's mistake, not the file's.
    EXPECT_THROW(
        problems_of("[t]\nd = 1\n",
                    [](TableReader& reader) {
                        (void)reader.duration("d", TimeUnit::days, Range{1, 106'751'991'167'301}, Presence::optional);
                    }),
        std::logic_error);
}

TEST(TomlReader, MoneyIsAnIntegerOfMinorUnitsFromZero) {
    const auto read = [](TableReader& reader) { (void)reader.money("m", 100, Presence::optional); };
    EXPECT_EQ(problems_of("[t]\nm = 0\n", read), "");
    EXPECT_EQ(problems_of("[t]\nm = -1\n", read), "f.toml:2:5: t.m: -1 is out of range; allowed 0..100 (minor units)");
    EXPECT_EQ(problems_of("[t]\nm = 5.0\n", read),
              "f.toml:2:5: t.m: expected an integer in 0..100 (minor units), got a floating-point number");
}

TEST(TomlReader, AConflictIsReportedAtTheKeyTheOperatorWrote) {
    Diagnostics diagnostics("f.toml");
    const auto document = parse("[t]\nhigh = 3\n", diagnostics);
    ASSERT_TRUE(document);
    TableReader reader(*document->get("t")->as_table(), "t", diagnostics);
    const Located<std::int64_t> low = reader.integer_or("low", 5, Range{0, 10});
    const Located<std::int64_t> high = reader.integer_or("high", 5, Range{0, 10});
    report_conflict(diagnostics, Side<std::int64_t>{low, "t.low", "5 must be below t.high (3)"},
                    Side<std::int64_t>{high, "t.high", "3 must be above t.low (5)"});
    EXPECT_EQ(diagnostics.text(), "f.toml:2:8: t.high: 3 must be above t.low (5)");
}

TEST(TomlReader, PastFiftyProblemsTheRestAreCounted) {
    std::string text = "[t]\n";
    for (int i = 0; i < 52; ++i) text += "k" + std::to_string(i) + " = 1\n";
    const std::string problems = problems_of(text, [](TableReader&) {});
    EXPECT_EQ(std::count(problems.begin(), problems.end(), '\n'), 50);
    EXPECT_EQ(problems.substr(problems.rfind('\n') + 1), "f.toml: ... and 2 more problems");
}

TEST(TomlReader, ControlCharactersAreWrittenAsEscapes) {
    EXPECT_EQ(one_line("a\nb\rc\td\x01"
                       "e\x7f"
                       "f\xc3\xa9"),
              "a\\nb\\rc\\td\\x01e\\x7ff\xc3\xa9");
}

}  // namespace
}  // namespace billing::toml_reader
