// database.url for the server backends, read with Poco::URI: the parts percent-decoded (a
// password may hold '%', spaces, '@', ':'), and every malformed url refused at load with
// file:line:col and without repeating the url (it may hold a password).
#include "config_test_support.hpp"

#include <billing/config/database_url.hpp>

#include <string>

namespace billing::config::testing {
namespace {

ServerAddress address_of(const std::string& target) {
    const Result<ServerAddress> parsed = parse_server_address(DatabaseBackend::mysql, target);
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    return parsed.ok() ? parsed.value() : ServerAddress{};
}

std::string url_error(const std::string& url) { return error_of("[database]\nurl = \"" + url + "\"\n"); }

TEST(ConfigDatabaseUrl, PartsArePercentDecoded) {
    const ServerAddress a = address_of("bill%40ing:p%25ss%20w%3Ard%2F@db.example:5433/billing%20main");
    EXPECT_EQ(a.user, "bill@ing");
    EXPECT_EQ(a.password, "p%ss w:rd/");
    EXPECT_EQ(a.host, "db.example");
    EXPECT_EQ(a.port, "5433");
    EXPECT_EQ(a.database, "billing main");
}

TEST(ConfigDatabaseUrl, ThePasswordStartsAfterTheFirstColonAndMayHoldMore) {
    const ServerAddress a = address_of("u:a:b@h/d");
    EXPECT_EQ(a.user, "u");
    EXPECT_EQ(a.password, "a:b");
}

TEST(ConfigDatabaseUrl, UserPasswordAndPortAreOptional) {
    EXPECT_EQ(address_of("h/d"), (ServerAddress{"", "", "h", "", "d"}));
    EXPECT_EQ(address_of("u@h/d"), (ServerAddress{"u", "", "h", "", "d"}));
}

TEST(ConfigDatabaseUrl, AnIpv6HostLosesItsBrackets) {
    EXPECT_EQ(address_of("u:p@[::1]:5432/d"), (ServerAddress{"u", "p", "::1", "5432", "d"}));
}

TEST(ConfigDatabaseUrl, PortsAtTheEndsOfTheRange) {
    EXPECT_EQ(address_of("h:1/d").port, "1");
    EXPECT_EQ(address_of("h:65535/d").port, "65535");
    EXPECT_EQ(url_error("mysql://h:65536/d"),
              at(2, 7) + "database.url: mysql url does not parse: bad or invalid port number: 65536");
    EXPECT_EQ(url_error("mysql://h:0/d"),
              at(2, 7) + "database.url: mysql url does not parse: bad or invalid port number: 0");
}

TEST(ConfigDatabaseUrl, AValidServerUrlLoads) {
    const Result<HostConfig> result = parse("[database]\nurl = \"postgresql://u:p%25w@127.0.0.1:5432/billing\"\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().database.backend, DatabaseBackend::postgresql);
    EXPECT_EQ(result.value().database.target, "u:p%25w@127.0.0.1:5432/billing");  // decoded only when connecting
}

TEST(ConfigDatabaseUrl, ARawSpaceIsRefused) {
    EXPECT_EQ(url_error("postgresql://u:pass word@h/d"),
              at(2, 7) + "database.url: postgresql url has a space or control character in it; "
                         "percent-encode it (a space is %20)");
}

TEST(ConfigDatabaseUrl, APercentWithoutTwoHexDigitsIsRefused) {
    EXPECT_EQ(url_error("mysql://u:100%@h/d"),
              at(2, 7) + "database.url: mysql url has a '%' not followed by two hex digits in its password "
                         "(write '%' itself as %25)");
    EXPECT_EQ(url_error("mysql://u%zz:p@h/d"),
              at(2, 7) + "database.url: mysql url has a '%' not followed by two hex digits in its user "
                         "(write '%' itself as %25)");
}

TEST(ConfigDatabaseUrl, AnEncodedControlCharacterIsRefused) {
    EXPECT_EQ(url_error("mysql://u:p%00w@h/d"),
              at(2, 7) + "database.url: mysql url has a control character in its password");
}

TEST(ConfigDatabaseUrl, ARawAtSignInThePasswordIsRefused) {
    // Poco::URI would keep only what follows the last '@': the password would silently change.
    EXPECT_EQ(url_error("postgresql://u:p@ss@h/d"),
              at(2, 7) + "database.url: postgresql url has more than one '@' before its host; "
                         "write an '@' in the user or password as %40");
}

TEST(ConfigDatabaseUrl, NoHostOrNoDatabaseIsRefused) {
    EXPECT_EQ(url_error("postgresql://u:p@/d"),
              at(2, 7) +
                  "database.url: postgresql url names no host: expected USER:PASSWORD@HOST:PORT/DB after the scheme");
    EXPECT_EQ(url_error("postgresql://u:p@h"),
              at(2, 7) + "database.url: postgresql url names no database, or more than one path segment: "
                         "expected USER:PASSWORD@HOST:PORT/DB after the scheme");
    EXPECT_EQ(url_error("postgresql://u:p@h/d/e"),
              at(2, 7) + "database.url: postgresql url names no database, or more than one path segment: "
                         "expected USER:PASSWORD@HOST:PORT/DB after the scheme");
}

TEST(ConfigDatabaseUrl, ADoubleQuoteIsRefusedForPostgresqlOnly) {
    EXPECT_EQ(url_error("postgresql://u:a%22b@h/d"),
              at(2, 7) + "database.url: postgresql url has a '\"' in its user, password or database name, which "
                         "SOCI 4.0's PostgreSQL backend cannot pass to the server");
    EXPECT_TRUE(parse("[database]\nurl = \"mysql://u:a%22b@h/d\"\n").ok());
}

TEST(ConfigDatabaseUrl, AQueryOrFragmentIsRefused) {
    EXPECT_EQ(url_error("mysql://u:p@h/d?sslmode=require"),
              at(2, 7) + "database.url: mysql url has a query or fragment ('?' or '#'), which the host does not read");
    EXPECT_EQ(url_error("mysql://u:p@h/d#x"),
              at(2, 7) + "database.url: mysql url has a query or fragment ('?' or '#'), which the host does not read");
}

TEST(ConfigDatabaseUrl, ASqliteFileNameIsNotReadAsAUrl) {
    // sqlite3://data/billing.db names a relative file, not a host called "data".
    const Result<HostConfig> result = parse("[database]\nurl = \"sqlite3://my data/100%.db\"\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().database.target, "my data/100%.db");
}

// Messages and logs name the database by its url: never with the password in it.
TEST(ConfigDatabaseUrl, ThePrintedUrlHidesThePassword) {
    EXPECT_EQ(redacted_database_url("postgresql://billing:s%20cret@db.example:5432/billing"),
              "postgresql://billing:***@db.example:5432/billing");
    EXPECT_EQ(redacted_database_url("mysql://u:p:w@[::1]/b"), "mysql://u:***@[::1]/b");
    EXPECT_EQ(redacted_database_url("mysql://u@h/b"), "mysql://u@h/b");        // no password
    EXPECT_EQ(redacted_database_url("mysql://h:3306/b"), "mysql://h:3306/b");  // no user information
    EXPECT_EQ(redacted_database_url("sqlite3:///var/lib/a@b:c"), "sqlite3:///var/lib/a@b:c");
    EXPECT_EQ(redacted_database_url("not a url"), "not a url");
}

}  // namespace
}  // namespace billing::config::testing
