// TOML syntax errors are reported with toml++'s own description at its line:col. The parser
// stops at the first one, so there is exactly one line in the message.
#include "config_test_support.hpp"

#include <gmock/gmock.h>

namespace billing::config::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(ConfigSyntax, MissingValueIsReported) {
    EXPECT_THAT(error_of("[server]\nport = = 1\n"),
                AllOf(StartsWith(at(2, 8) + "syntax error: "), HasSubstr("could not determine value type"),
                      Not(HasSubstr("\n"))));
}

TEST(ConfigSyntax, UnclosedTableHeaderIsReported) {
    EXPECT_THAT(error_of("[server\nport = 1\n"),
                AllOf(StartsWith(at(1, 8) + "syntax error: "), HasSubstr("expected ']'")));
}

TEST(ConfigSyntax, DuplicateKeyIsReported) {
    EXPECT_THAT(error_of("[server]\nport = 1\nport = 2\n"),
                AllOf(StartsWith(at(3, 8) + "syntax error: "), HasSubstr("'port'")));
}

TEST(ConfigSyntax, DuplicateTableIsReported) {
    EXPECT_THAT(error_of("[server]\nport = 1\n[server]\n"),
                AllOf(StartsWith(at(3, 1) + "syntax error: "), HasSubstr("'server'")));
}

TEST(ConfigSyntax, IntegerBeyond64BitsIsASyntaxErrorNotAWrap) {
    EXPECT_THAT(error_of("[server]\nport = 99999999999999999999\n"),
                AllOf(StartsWith(at(2, 28) + "syntax error: "), HasSubstr("not representable in 64 bits")));
}

// toml++ quotes what it saw, line break included: the message must still be one line per problem,
// each starting with file:line:col (found by fuzzing).
TEST(ConfigSyntax, ALineBreakInWhatTheParserSawStaysOnOneLine) {
    EXPECT_EQ(error_of("[demo]\ncreate_tenant = tr\n"),
              at(2, 19) + "syntax error: Error while parsing boolean: expected 'true', saw 'tr\\n'");
}

}  // namespace
}  // namespace billing::config::testing
