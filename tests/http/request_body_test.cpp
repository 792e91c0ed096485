#include "billing/http/request_body.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace billing::http {
namespace {

TEST(RequestBody, JsonContentTypesAreAccepted) {
    for (const char* type :
         {"application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
          " application/json ", "application/json; charset=\"utf-8\""}) {
        EXPECT_TRUE(check_json_content_type(type).ok()) << type;
    }
}

TEST(RequestBody, OtherContentTypesAre415) {
    for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                             "application/json; charset=latin1", "application/problem+json", "multipart/form-data"}) {
        const auto result = check_json_content_type(type);
        ASSERT_FALSE(result.ok()) << type;
        EXPECT_EQ(result.error().code, "unsupported_media_type");
    }
    EXPECT_EQ(check_json_content_type("text/plain").error().message,
              "the body must be sent as application/json, not text/plain");
    EXPECT_EQ(check_json_content_type("").error().message,
              "the body must be sent as application/json, not without a Content-Type");
}

TEST(RequestBody, BodyAtTheLimitIsReadOneMoreByteIs413) {
    std::istringstream at_limit(std::string(100, 'x'));
    EXPECT_EQ(read_bounded_body(at_limit, 100, 100).value(), std::string(100, 'x'));
    std::istringstream over(std::string(101, 'x'));
    const auto result = read_bounded_body(over, 101, 100);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "payload_too_large");
    EXPECT_EQ(result.error().message, "the body is longer than 100 bytes");
}

TEST(RequestBody, DeclaredLengthOverTheLimitIsRefusedBeforeReading) {
    std::istringstream in("{}");
    EXPECT_EQ(read_bounded_body(in, 101, 100).error().code, "payload_too_large");
    EXPECT_EQ(in.tellg(), 0);
}

TEST(RequestBody, UnknownLengthIsBoundedByWhatArrives) {
    std::istringstream small("{}");
    EXPECT_EQ(read_bounded_body(small, -1, 100).value(), "{}");
    std::istringstream chunked_too_long(std::string(1000, 'x'));
    EXPECT_EQ(read_bounded_body(chunked_too_long, -1, 100).error().code, "payload_too_large");
}

TEST(RequestBody, AClientThatSendsMoreThanItDeclaredIsStill413) {
    std::istringstream lying(std::string(101, 'x'));
    EXPECT_EQ(read_bounded_body(lying, 2, 100).error().code, "payload_too_large");
}

TEST(RequestBody, EmptyBody) {
    std::istringstream empty("");
    EXPECT_EQ(read_bounded_body(empty, 0, 100).value(), "");
}

}  // namespace
}  // namespace billing::http
