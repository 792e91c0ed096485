// Keys with a closed set of values: every allowed value is read, anything else is refused with
// the list of allowed values. database.url is refused for any scheme but the three backends.
#include "config_test_support.hpp"

#include <string>

namespace billing::config::testing {
namespace {

TEST(ConfigChoices, EveryLogLevelIsRead) {
    for (const LogLevel level : {LogLevel::fatal, LogLevel::critical, LogLevel::error, LogLevel::warning,
                                 LogLevel::notice, LogLevel::information, LogLevel::debug, LogLevel::trace}) {
        const Result<HostConfig> result = parse("[log]\nlevel = \"" + std::string(to_string(level)) + "\"\n");
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result.value().log.level, level);
    }
}

TEST(ConfigChoices, EverySqliteSynchronousLevelIsRead) {
    for (const SqliteSynchronous level :
         {SqliteSynchronous::off, SqliteSynchronous::normal, SqliteSynchronous::full, SqliteSynchronous::extra}) {
        const Result<HostConfig> result =
            parse("[database]\nsqlite_synchronous = \"" + std::string(to_string(level)) + "\"\n");
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(result.value().database.sqlite_synchronous, level);
    }
}

TEST(ConfigChoices, UnknownLogLevelIsRefused) {
    EXPECT_EQ(error_of("[log]\nlevel = \"info\"\n"), at(2, 9) +
                                                         "log.level: \"info\" is not allowed; allowed values: "
                                                         "fatal|critical|error|warning|notice|information|debug|trace");
}

TEST(ConfigChoices, ValuesAreCaseSensitive) {
    EXPECT_EQ(error_of("[log]\nformat = \"JSON\"\n"),
              at(2, 10) + "log.format: \"JSON\" is not allowed; allowed values: json|text");
}

TEST(ConfigChoices, UnknownSqliteSynchronousIsRefused) {
    EXPECT_EQ(error_of("[database]\nsqlite_synchronous = \"fast\"\n"),
              at(2, 22) + "database.sqlite_synchronous: \"fast\" is not allowed; allowed values: "
                          "off|normal|full|extra");
}

TEST(ConfigChoices, UnsupportedUrlSchemeIsRefused) {
    EXPECT_EQ(error_of("[database]\nurl = \"redis://localhost\"\n"),
              at(2, 7) + "database.url: \"redis://localhost\" has an unsupported scheme; "
                         "allowed schemes: sqlite3://, postgresql://, mysql://");
}

TEST(ConfigChoices, UrlWithoutSchemeIsRefused) {
    // A bare file name is not taken as sqlite3: the backend is always explicit.
    EXPECT_EQ(error_of("[database]\nurl = \"billing.db\"\n"),
              at(2, 7) + "database.url: \"billing.db\" has an unsupported scheme; "
                         "allowed schemes: sqlite3://, postgresql://, mysql://");
}

TEST(ConfigChoices, SchemeAliasesAreRefused) {
    EXPECT_EQ(error_of("[database]\nurl = \"postgres://db/billing\"\n"),
              at(2, 7) + "database.url: \"postgres://db/billing\" has an unsupported scheme; "
                         "allowed schemes: sqlite3://, postgresql://, mysql://");
}

TEST(ConfigChoices, ControlCharactersOfAQuotedValueAreEscapedInTheMessage) {
    // One problem, one line: a line break in the value must not start a line without file:line:col.
    EXPECT_EQ(error_of("[database]\nurl = \"a\\nb\\t\\u0001://x\"\n"),
              at(2, 7) + "database.url: \"a\\nb\\t\\x01://x\" has an unsupported scheme; "
                         "allowed schemes: sqlite3://, postgresql://, mysql://");
}

TEST(ConfigChoices, UrlWithNothingAfterSchemeIsRefused) {
    EXPECT_EQ(error_of("[database]\nurl = \"sqlite3://\"\n"),
              at(2, 7) + "database.url: \"sqlite3://\" names no database after the scheme");
}

}  // namespace
}  // namespace billing::config::testing
