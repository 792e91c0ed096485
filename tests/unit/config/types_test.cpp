// A value of the wrong type is refused, never converted: the message names the key, what was
// expected and what was found, at the value's line:col.
#include "config_test_support.hpp"

namespace billing::config::testing {
namespace {

TEST(ConfigTypes, StringForPortIsRefused) {
    EXPECT_EQ(error_of("[server]\nport = \"8080\"\n"),
              at(2, 8) + "server.port: expected an integer in 0..65535, got a string");
}

TEST(ConfigTypes, WholeFloatForPortIsRefused) {
    // 8080.0 has an integral value, but a float is a float: no silent conversion.
    EXPECT_EQ(error_of("[server]\nport = 8080.0\n"),
              at(2, 8) + "server.port: expected an integer in 0..65535, got a floating-point number");
}

TEST(ConfigTypes, FractionalFloatIsRefusedNotTruncated) {
    EXPECT_EQ(error_of("[timers]\nlease_s = 1.5\n"),
              at(2, 11) + "timers.lease_s: expected an integer in 1..3600, got a floating-point number");
}

TEST(ConfigTypes, BooleanDateAndArrayForIntegerAreRefused) {
    EXPECT_EQ(error_of("[server]\nport = true\n"),
              at(2, 8) + "server.port: expected an integer in 0..65535, got a boolean");
    EXPECT_EQ(error_of("[server]\nport = 1979-05-27\n"),
              at(2, 8) + "server.port: expected an integer in 0..65535, got a date");
    EXPECT_EQ(error_of("[server]\nport = [80]\n"),
              at(2, 8) + "server.port: expected an integer in 0..65535, got an array");
}

TEST(ConfigTypes, IntegerForHostIsRefused) {
    EXPECT_EQ(error_of("[server]\nhost = 1\n"), at(2, 8) + "server.host: expected a string, got an integer");
}

TEST(ConfigTypes, EmptyHostIsRefused) {
    EXPECT_EQ(error_of("[server]\nhost = \"\"\n"), at(2, 8) + "server.host: must be 1..253 bytes long, got 0");
}

TEST(ConfigTypes, StringForBooleanIsRefused) {
    EXPECT_EQ(error_of("[plugins]\nwatch = \"yes\"\n"),
              at(2, 9) + "plugins.watch: expected a boolean (true or false), got a string");
    EXPECT_EQ(error_of("[demo]\ncreate_tenant = 1\n"),
              at(2, 17) + "demo.create_tenant: expected a boolean (true or false), got an integer");
}

TEST(ConfigTypes, IntegerForEnumIsRefused) {
    EXPECT_EQ(error_of("[log]\nlevel = 3\n"),
              at(2, 9) + "log.level: expected a string, one of "
                         "fatal|critical|error|warning|notice|information|debug|trace, got an integer");
}

TEST(ConfigTypes, IntegerForUrlIsRefused) {
    EXPECT_EQ(error_of("[database]\nurl = 5\n"), at(2, 7) + "database.url: expected a string, got an integer");
}

TEST(ConfigTypes, ValueForSectionIsRefused) {
    EXPECT_EQ(error_of("server = 5\n"), at(1, 10) + "server: expected a table, got an integer");
}

TEST(ConfigTypes, BadPathsAreRefused) {
    EXPECT_EQ(error_of("[operator]\nkey_file = 5\n"),
              at(2, 12) + "operator.key_file: expected a string (a file path), got an integer");
    EXPECT_EQ(error_of("[operator]\nkey_file = \"\"\n"),
              at(2, 12) + "operator.key_file: a file path must be 1..4096 bytes long, got 0");
    EXPECT_EQ(error_of("[operator]\nkey_file = \"a\\u0000b\"\n"),
              at(2, 12) + "operator.key_file: a file path must not contain a NUL character");
}

}  // namespace
}  // namespace billing::config::testing
