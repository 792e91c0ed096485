#include "billing/http/query_string.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "billing/http/problem.hpp"

namespace billing::http {
namespace {

using Params = std::map<std::string, std::string>;

TEST(QueryString, NoQuestionMarkIsNoParameters) {
    const auto query = parse_query("/v1/orders");
    ASSERT_TRUE(query.ok());
    EXPECT_TRUE(query.value().empty());
}

TEST(QueryString, ReadsPairsAfterTheFirstQuestionMark) {
    const auto query = parse_query("/v1/orders?state=open&limit=10?x");
    ASSERT_TRUE(query.ok());
    EXPECT_EQ(query.value(), (Params{{"state", "open"}, {"limit", "10?x"}}));
}

TEST(QueryString, DecodesPercentEscapesAndPlusAsSpace) {
    const auto query = parse_query("/v1/accounts?external_ref=a%2Bb+c%26d%3De");
    ASSERT_TRUE(query.ok());
    EXPECT_EQ(query.value(), (Params{{"external_ref", "a+b c&d=e"}}));
}

TEST(QueryString, NameWithoutEqualsHasAnEmptyValueAndEmptyPairsAreSkipped) {
    const auto query = parse_query("/v1/orders?&&state&limit=&");
    ASSERT_TRUE(query.ok());
    EXPECT_EQ(query.value(), (Params{{"state", ""}, {"limit", ""}}));
}

TEST(QueryString, RefusesANameGivenTwiceEvenWhenEncodedDifferently) {
    for (const char* target : {"/v1/orders?state=open&state=open", "/v1/orders?state=a&st%61te=b"}) {
        const auto query = parse_query(target);
        ASSERT_FALSE(query.ok()) << target;
        EXPECT_EQ(query.error().code, problem_code::bad_request);
        EXPECT_EQ(query.error().message, "query parameter state is given twice");
    }
}

TEST(QueryString, RefusesAnEscapeThatIsNotTwoHexDigits) {
    for (const char* target :
         {"/v1/orders?state=%", "/v1/orders?state=%4", "/v1/orders?state=%zz", "/v1/orders?st%g1te=open"}) {
        const auto query = parse_query(target);
        ASSERT_FALSE(query.ok()) << target;
        EXPECT_EQ(query.error().code, problem_code::bad_request);
        EXPECT_EQ(query.error().message, "the query string is not well encoded");
    }
}

}  // namespace
}  // namespace billing::http
