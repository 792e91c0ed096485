// [[plugins.policy]] entries: all three keys required, names well-formed and unique.
#include "config_test_support.hpp"

#include <string>

namespace billing::config::testing {
namespace {

TEST(ConfigPlugins, ZeroPoliciesIsAllowed) {
    const Result<HostConfig> result = parse("[plugins]\nwatch = true\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(result.value().plugins.policies.empty());
}

TEST(ConfigPlugins, DuplicateNameIsRefusedAtTheSecond) {
    EXPECT_EQ(error_of("[[plugins.policy]]\n"
                       "name = \"otpdesk\"\n"
                       "file = \"a.so\"\n"
                       "config = \"a.toml\"\n"
                       "\n"
                       "[[plugins.policy]]\n"
                       "config = \"b.toml\"\n"
                       "  name = \"otpdesk\"\n"
                       "file = \"b.so\"\n"),
              at(8, 10) + "plugins.policy[1].name: duplicate policy name \"otpdesk\" (first defined at 2:8)");
}

TEST(ConfigPlugins, MissingRequiredKeyIsRefusedAtTheEntry) {
    EXPECT_EQ(error_of("[plugins]\n"
                       "watch = false\n"
                       "[[plugins.policy]]\n"
                       "name = \"a\"\n"
                       "config = \"a.toml\"\n"),
              at(3, 1) + "plugins.policy[0].file: required key is missing in [plugins.policy[0]]");
}

TEST(ConfigPlugins, EveryMissingKeyIsReported) {
    EXPECT_EQ(error_of("[[plugins.policy]]\n"),
              at(1, 1) + "plugins.policy[0].name: required key is missing in [plugins.policy[0]]\n" + at(1, 1) +
                  "plugins.policy[0].file: required key is missing in [plugins.policy[0]]\n" + at(1, 1) +
                  "plugins.policy[0].config: required key is missing in [plugins.policy[0]]");
}

TEST(ConfigPlugins, MalformedNameIsRefused) {
    for (const char* name : {"OtpDesk", "otp-desk", "otp desk", "ötp"}) {
        const std::string text =
            std::string("[[plugins.policy]]\nname = \"") + name + "\"\nfile = \"a.so\"\nconfig = \"a.toml\"\n";
        EXPECT_EQ(error_of(text), at(2, 8) + "plugins.policy[0].name: \"" + name +
                                      "\" is not allowed; a policy name is 1..64 characters from [a-z0-9_]");
    }
}

TEST(ConfigPlugins, NameLengthIsBounded) {
    const std::string longest(64, 'a');
    const Result<HostConfig> result =
        parse("[[plugins.policy]]\nname = \"" + longest + "\"\nfile = \"a.so\"\nconfig = \"a.toml\"\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().plugins.policies.at(0).name, longest);

    EXPECT_EQ(error_of("[[plugins.policy]]\nname = \"" + longest + "a\"\nfile = \"a.so\"\nconfig = \"a.toml\"\n"),
              at(2, 8) + "plugins.policy[0].name: must be 1..64 bytes long, got 65");
    EXPECT_EQ(error_of("[[plugins.policy]]\nname = \"\"\nfile = \"a.so\"\nconfig = \"a.toml\"\n"),
              at(2, 8) + "plugins.policy[0].name: must be 1..64 bytes long, got 0");
}

TEST(ConfigPlugins, PolicyThatIsNotATableIsRefused) {
    EXPECT_EQ(error_of("[plugins]\npolicy = \"otpdesk\"\n"),
              at(2, 10) + "plugins.policy: expected an array of tables ([[plugins.policy]]), got a string");
    EXPECT_EQ(error_of("[plugins]\npolicy = [1]\n"),
              at(2, 11) + "plugins.policy[0]: expected a table ([[plugins.policy]]), got an integer");
}

TEST(ConfigPlugins, WrongTypeInEntryIsRefused) {
    EXPECT_EQ(error_of("[[plugins.policy]]\nname = \"a\"\nfile = 1\nconfig = \"a.toml\"\n"),
              at(3, 8) + "plugins.policy[0].file: expected a string (a file path), got an integer");
}

}  // namespace
}  // namespace billing::config::testing
