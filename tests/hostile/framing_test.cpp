// Requests the transport must refuse itself, before any route (RFC 9112 §2-§7, §6.1 and §6.3 on
// framing): each is sent whole on a fresh connection and must get its own status and code as a
// problem+json with Connection: close, and then the server closes. A request whose framing is
// in doubt must never be answered and kept alive: the next request's bytes could be the
// previous one's body (request smuggling).
#include <gtest/gtest.h>

#include <string>

#include "hostile_fixture.hpp"
#include "problem_checks.hpp"

namespace billing::hostile {
namespace {

// body_bytes_max is small so that the 413 cases send little; the head limits keep their
// defaults (head_bytes_max 8192, header_fields_max 100), which these cases pass by a margin.
constexpr std::size_t body_bytes_max = 4096;

class Framing : public HostileTest {
public:
    static void SetUpTestSuite() { start_host({{"body_bytes_max", std::to_string(body_bytes_max)}}); }
};

struct Refusal {
    const char* name;
    std::string request;
    int status;
    const char* code;
};

void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.name; }

// A POST whose framing headers are the case's own (each line ends in CRLF), with an 18-byte body.
std::string post_with(const std::string& framing_fields, const std::string& version = "HTTP/1.1") {
    return "POST /v1/accounts " + version + "\r\nHost: hostile\r\nContent-Type: application/json\r\n" + framing_fields +
           "\r\n{\"external_ref\":1}";
}

// The head of a request alone, as a client that waits for the answer before its body sends it.
std::string head_of(const std::string& request) { return request.substr(0, request.find("\r\n\r\n") + 4); }

std::string get_with(const std::string& fields) {
    return "GET /v1/products HTTP/1.1\r\nHost: hostile\r\n" + fields + "\r\n";
}

std::string many_fields(int count) {
    std::string fields;
    for (int i = 0; i < count; ++i) fields += "X-Field-" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
    return fields;
}

const Refusal refusals[] = {
    // The request line (RFC 9112 §3): method SP request-target SP HTTP-version, case-sensitive.
    {"SpacesInTheMethod", "G E T /x HTTP/1.1\r\nHost: hostile\r\n\r\n", 400, "bad_request_line"},
    {"LowerCaseVersion", "GET /v1/products http/1.1\r\nHost: hostile\r\n\r\n", 400, "bad_request_line"},
    {"TwoSpacesAfterTheMethod", "GET  /x HTTP/1.1\r\nHost: hostile\r\n\r\n", 400, "bad_request_line"},
    {"MissingVersion", "GET /v1/products\r\nHost: hostile\r\n\r\n", 400, "bad_request_line"},
    {"ControlByteInTheTarget", std::string("GET /v1/pro\x01ducts HTTP/1.1\r\nHost: hostile\r\n\r\n"), 400,
     "bad_request_line"},
    {"SpaceInThePath", "GET /v1/pro ducts HTTP/1.1\r\nHost: hostile\r\n\r\n", 400, "bad_request_line"},
    // Versions the host does not speak.
    {"Version1_2", "GET /livez HTTP/1.2\r\nHost: hostile\r\n\r\n", 505, "http_version_not_supported"},
    {"Version2_0", "GET /livez HTTP/2.0\r\nHost: hostile\r\n\r\n", 505, "http_version_not_supported"},
    {"Version0_9", "GET /livez HTTP/0.9\r\nHost: hostile\r\n\r\n", 505, "http_version_not_supported"},
    // Field lines (RFC 9112 §5): a token name, no whitespace before the colon, no CR, LF or NUL in
    // a value, no obs-fold (§5.2: a server must reject it or replace it, and the host rejects it).
    {"ParenthesisInAFieldName", get_with("Na(me: x\r\n"), 400, "bad_header"},
    {"SpaceInAFieldName", get_with("Bad Header: x\r\n"), 400, "bad_header"},
    {"WhitespaceBeforeTheColon", get_with("X-Name : x\r\n"), 400, "bad_header"},
    {"FieldLineWithoutAColon", get_with("NoColonHere\r\n"), 400, "bad_header"},
    {"NulInAFieldValue", get_with(std::string("X-Name: a\0b\r\n", 13)), 400, "bad_header"},
    {"CrInAFieldValue", get_with("X-Name: a\rb\r\n"), 400, "bad_header"},
    {"ObsFoldContinuationLine", get_with("X-Name: a\r\n b\r\n"), 400, "bad_header"},
    // Bounded heads.
    {"HeadOverHeadBytesMax", get_with("X-Long: " + std::string(9000, 'a') + "\r\n"), 431, "header_too_large"},
    {"TargetOverHeadBytesMax", "GET /v1/products?" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: hostile\r\n\r\n", 431,
     "header_too_large"},
    {"MoreThanHeaderFieldsMaxFields", get_with(many_fields(100)), 431, "header_too_large"},
    {"LongMethodOverHeadBytesMax", std::string(9000, 'G') + " /livez HTTP/1.1\r\nHost: hostile\r\n\r\n", 431,
     "header_too_large"},
    // Host (RFC 9112 §3.2): exactly one in HTTP/1.1.
    {"NoHostInHttp11", "GET /livez HTTP/1.1\r\n\r\n", 400, "missing_host"},
    {"TwoHostFields", "GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "missing_host"},
    // Content-Length (RFC 9112 §6.3, item 5): 1*DIGIT, once.
    {"ContentLengthNotANumber", post_with("Content-Length: abc\r\n"), 400, "bad_content_length"},
    {"ContentLengthNegative", post_with("Content-Length: -1\r\n"), 400, "bad_content_length"},
    {"ContentLengthWithAPlusSign", post_with("Content-Length: +5\r\n"), 400, "bad_content_length"},
    {"ContentLengthAsAList", post_with("Content-Length: 18, 18\r\n"), 400, "bad_content_length"},
    {"ContentLengthOf20Digits", post_with("Content-Length: 12345678901234567890\r\n"), 400, "bad_content_length"},
    {"TwoDifferentContentLengths", post_with("Content-Length: 18\r\nContent-Length: 19\r\n"), 400,
     "bad_content_length"},
    {"TwoEqualContentLengths", post_with("Content-Length: 18\r\nContent-Length: 18\r\n"), 400, "bad_content_length"},
    // Transfer-Encoding (RFC 9112 §6.1): never with Content-Length, not in HTTP/1.0, chunked last
    // and once; a coding the host does not know is 501.
    {"ContentLengthWithTransferEncoding",
     post_with("Content-Length: 18\r\nTransfer-Encoding: chunked\r\n") + "\r\n0\r\n\r\n", 400, "bad_transfer_encoding"},
    {"TransferEncodingInHttp10", post_with("Transfer-Encoding: chunked\r\n", "HTTP/1.0"), 400, "bad_transfer_encoding"},
    {"ChunkedNotTheLastCoding", post_with("Transfer-Encoding: chunked, gzip\r\n"), 400, "bad_transfer_encoding"},
    {"ChunkedTwice", post_with("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400,
     "bad_transfer_encoding"},
    {"GzipTransferCoding", post_with("Transfer-Encoding: gzip\r\n"), 501, "transfer_coding_not_implemented"},
    {"GzipThenChunked", post_with("Transfer-Encoding: gzip, chunked\r\n"), 501, "transfer_coding_not_implemented"},
    // Chunked framing (RFC 9112 §7.1).
    {"ChunkSizeNotHex",
     "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\nTransfer-Encoding: "
     "chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
     400, "bad_chunked_body"},
    {"ChunkWithoutItsCrlf",
     "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\nTransfer-Encoding: "
     "chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
     400, "bad_chunked_body"},
    // Bodies over body_bytes_max: a declared length is answered at once, without its body.
    {"ContentLengthOverBodyBytesMax", head_of(post_with("Content-Length: 100000\r\n")), 413, "payload_too_large"},
    {"ChunkedBodyGrowingPastBodyBytesMax",
     "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\nTransfer-Encoding: "
     "chunked\r\n\r\n1000\r\n" +
         std::string(4096, ' ') + "\r\n10\r\n" + std::string(16, ' ') + "\r\n0\r\n\r\n",
     413, "payload_too_large"},
    // Expect (RFC 9110 §10.1.1): only 100-continue.
    {"ExpectOtherThan100Continue", get_with("Expect: 200-ok\r\n"), 417, "expectation_failed"},
};

class FramingRefusal : public Framing, public ::testing::WithParamInterface<Refusal> {};

TEST_P(FramingRefusal, IsAnsweredWithItsProblemAndTheConnectionClosed) {
    const Refusal& refusal = GetParam();
    auto connection = connect();
    const RawResponse answer = exchange(*connection, refusal.request);
    EXPECT_TRUE(is_transport_error(*connection, answer, refusal.status, refusal.code));
}

INSTANTIATE_TEST_SUITE_P(Transport, FramingRefusal, ::testing::ValuesIn(refusals),
                         [](const ::testing::TestParamInfo<Refusal>& refusal) {
                             return std::string(refusal.param.name);
                         });

// The classic smuggling shape (CL.TE): a server that framed the body by Content-Length would
// read the chunked terminator and a second request as the body; one that framed it by
// Transfer-Encoding would answer the second request. Neither: one 400 and the close.
TEST_F(Framing, ARequestSmuggledBehindContentLengthAndChunkedIsNeverAnswered) {
    const std::string smuggled = "GET /v1/nowhere HTTP/1.1\r\nHost: hostile\r\n\r\n";
    const std::string body = "0\r\n\r\n" + smuggled;
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection, "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n"
                              "Content-Length: " +
                                  std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    const RawResponse second = connection->read_response(milliseconds(1000));
    EXPECT_TRUE(second.end != ReadEnd::answer) << "the smuggled request was answered: " << second.describe();
    EXPECT_TRUE(is_transport_error(*connection, answer, 400, "bad_transfer_encoding"));
}

// curl sends Expect: 100-continue before a large upload and waits for the 100: a body over the
// limit must get its 413 instead, and never a 100 that invites the upload.
TEST_F(Framing, ExpectContinueOverBodyBytesMaxGets413AndNo100) {
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection, "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: "
                              "application/json\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_NE(answer.status, 100) << "a 100 Continue invites a body the host will refuse";
    EXPECT_TRUE(is_transport_error(*connection, answer, 413, "payload_too_large"));
}

TEST_F(Framing, ExpectContinueWithinTheLimitGets100ThenTheAnswer) {
    auto connection = connect();
    const std::string body = R"({"external_ref":"expect-continue"})";
    ASSERT_TRUE(connection->send("POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n" +
                                 bearer(service_key()) + "Content-Length: " + std::to_string(body.size()) +
                                 "\r\nExpect: 100-continue\r\n\r\n"));
    const RawResponse go_on = connection->read_response(answer_timeout);
    ASSERT_EQ(go_on.status, 100) << go_on.describe();
    EXPECT_EQ(go_on.status_line, "HTTP/1.1 100 Continue");
    ASSERT_TRUE(connection->send(body));
    const RawResponse created = connection->read_response(answer_timeout);
    EXPECT_EQ(created.status, 201) << created.describe();
}

// The head limits are bounds, not cut-offs below them: exactly header_fields_max fields (Host
// and 99 more) is served.
TEST_F(Framing, ExactlyHeaderFieldsMaxFieldsAreServed) {
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection, "GET /livez HTTP/1.1\r\nHost: hostile\r\n" + many_fields(99) + "\r\n");
    EXPECT_EQ(answer.status, 200) << answer.describe();
}

TEST_F(Framing, AHeadJustUnderHeadBytesMaxIsServed) {
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection, get_request("/livez", "X-Long: " + std::string(7900, 'a') + "\r\n"));
    EXPECT_EQ(answer.status, 200) << answer.describe();
}

}  // namespace
}  // namespace billing::hostile
