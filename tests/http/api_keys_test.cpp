#include "billing/http/api_keys.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace billing::http {
namespace {

TEST(ApiKeys, GeneratedKeysHaveTheDocumentedFormat) {
    const std::regex format("bk_(svc|sup|adm|opr)_[0-9a-z]{12}_[0-9a-z]{32}");
    for (const Role role : all_roles) {
        const NewApiKey made = generate_api_key(role).value();
        EXPECT_TRUE(std::regex_match(made.key, format)) << made.prefix;
        EXPECT_EQ(made.key.size(), api_key_chars);
        EXPECT_EQ(made.key.substr(7, 12), made.prefix);
        EXPECT_EQ(made.role, role);
        const auto parts = parse_api_key(made.key);
        ASSERT_TRUE(parts.has_value());
        EXPECT_EQ(parts->role, role);
        EXPECT_EQ(parts->prefix, made.prefix);
    }
    EXPECT_EQ(generate_api_key(Role::service).value().key.substr(0, 7), "bk_svc_");
    EXPECT_EQ(generate_api_key(Role::host_operator).value().key.substr(0, 7), "bk_opr_");
}

TEST(ApiKeys, KeysAndPrefixesDoNotRepeat) {
    std::set<std::string> keys;
    std::set<std::string> prefixes;
    for (int i = 0; i < 1000; ++i) {
        const NewApiKey made = generate_api_key(Role::support).value();
        EXPECT_TRUE(keys.insert(made.key).second);
        EXPECT_TRUE(prefixes.insert(made.prefix).second);
    }
}

TEST(ApiKeys, SecretCharactersCoverTheAlphabet) {
    std::set<char> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string key = generate_api_key(Role::service).value().key;
        seen.insert(key.begin() + 20, key.end());
    }
    EXPECT_EQ(seen.size(), 36U);
}

TEST(ApiKeys, StoredFormIsSha256HexOfTheWholeKey) {
    EXPECT_EQ(api_key_digest_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const NewApiKey made = generate_api_key(Role::admin).value();
    EXPECT_EQ(made.digest_hex, api_key_digest_hex(made.key));
    EXPECT_EQ(made.digest_hex.size(), 64U);
    EXPECT_EQ(made.digest_hex.find(made.key.substr(20)), std::string::npos);
}

TEST(ApiKeys, MatchesOnlyTheExactKey) {
    const NewApiKey made = generate_api_key(Role::service).value();
    EXPECT_TRUE(api_key_matches(made.key, made.digest_hex));
    std::string other = made.key;
    other.back() = other.back() == 'a' ? 'b' : 'a';
    EXPECT_FALSE(api_key_matches(other, made.digest_hex));
    EXPECT_FALSE(api_key_matches(made.key.substr(0, made.key.size() - 1), made.digest_hex));
    EXPECT_FALSE(api_key_matches(made.key, ""));
    EXPECT_FALSE(api_key_matches(made.key, made.digest_hex.substr(1)));
    EXPECT_FALSE(api_key_matches(made.key, std::string(64, 'z')));
}

TEST(ApiKeys, MalformedKeysDoNotParse) {
    const std::string good = "bk_svc_abcdefghijkl_0123456789abcdefghijklmnopqrstuv";
    ASSERT_TRUE(parse_api_key(good).has_value());
    for (const std::string& bad :
         {std::string(""), good.substr(1), good + "x", "xk" + good.substr(2), "bk_usr" + good.substr(6),
          "bk_SVC" + good.substr(6), good.substr(0, 19) + "-" + good.substr(20),
          good.substr(0, 8) + "A" + good.substr(9), good.substr(0, 40) + "!" + good.substr(41)}) {
        EXPECT_FALSE(parse_api_key(bad).has_value()) << bad;
    }
}

TEST(ApiKeys, RedactionKeepsOnlyTheTagAndPrefix) {
    const std::string key = "bk_svc_abcdefghijkl_0123456789abcdefghijklmnopqrstuv";
    EXPECT_EQ(redact_api_key(key), "bk_svc_abcdefghijkl_***");
    EXPECT_EQ(redact_api_key(key.substr(0, 40)), "(malformed key)");
    EXPECT_EQ(redact_api_key("hunter2"), "(malformed key)");
}

}  // namespace
}  // namespace billing::http
