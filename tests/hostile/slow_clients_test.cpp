// Slow and greedy clients: a head or a body must arrive within a bounded total time (a deadline
// from the first byte, not a per-byte timeout that each byte restarts), an idle keep-alive
// connection is closed, and one client address may hold only so many connections, the host
// only so many in all. The limits are small here so that no test waits long; the times
// asserted are liveness bounds with a wide margin, the lower ones what no correct server can
// beat (it cannot time a head out before its deadline).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hostile_fixture.hpp"
#include "problem_checks.hpp"

namespace billing::hostile {
namespace {

constexpr milliseconds head_timeout{1000};
constexpr milliseconds body_timeout{1000};
constexpr milliseconds trickle_interval{100};
// What a deadline may overrun on a loaded 2-core machine before the test calls it a hang.
constexpr milliseconds slack{2000};
// What the clock may read early against the server's timer.
constexpr milliseconds early{100};

milliseconds since(Clock::time_point start) { return std::chrono::duration_cast<milliseconds>(Clock::now() - start); }

class SlowClients : public HostileTest {
public:
    static void SetUpTestSuite() {
        integration::HostOptions options;
        options.keep_alive_timeout_s = 1;
        start_host({{"head_timeout_ms", std::to_string(head_timeout.count())},
                    {"body_timeout_ms", std::to_string(body_timeout.count())}},
                   options);
    }
};

// A head of 100 bytes at one byte per 100 ms would take 10 s: the 408 must come at the head
// deadline, 1 s after the first byte, however steadily the bytes keep coming.
TEST_F(SlowClients, AHeadTrickledOneBytePer100MsGets408AtTheHeadDeadline) {
    std::string head = get_request("/livez", "X-Slow: \r\n");
    head.insert(head.size() - 4, std::string(100 - head.size(), 'a'));
    const milliseconds trickle_time = trickle_interval * static_cast<int>(head.size());
    auto connection = connect();
    const auto start = Clock::now();
    EXPECT_FALSE(connection->trickle(head, trickle_interval)) << "the whole head was sent without an answer";
    const RawResponse answer = connection->read_response(slack);
    const milliseconds took = since(start);
    EXPECT_TRUE(is_transport_error(*connection, answer, 408, "request_timeout"));
    EXPECT_GE(took, head_timeout - early);
    EXPECT_LT(took, head_timeout + slack)
        << "the deadline restarts with each byte (trickle time " << trickle_time.count() << " ms)";
}

TEST_F(SlowClients, ATrickledBodyGets408AtTheBodyDeadline) {
    const std::string body = R"({"external_ref":")" + std::string(60, 'b') + R"("})";
    std::string request = post_request("/v1/accounts", body, bearer(service_key()));
    auto connection = connect();
    ASSERT_TRUE(connection->send(request.substr(0, request.size() - body.size())));
    const auto head_sent = Clock::now();
    EXPECT_FALSE(connection->trickle(body, trickle_interval)) << "the whole body was sent without an answer";
    const RawResponse answer = connection->read_response(slack);
    const milliseconds took = since(head_sent);
    EXPECT_TRUE(is_transport_error(*connection, answer, 408, "request_timeout"));
    EXPECT_GE(took, body_timeout - early);
    EXPECT_LT(took, body_timeout + slack);
}

// Slow is allowed, within the deadline: a head sent in pieces over about half of it is served.
TEST_F(SlowClients, AHeadCompletedWithinTheDeadlineIsServed) {
    auto connection = connect();
    const std::string head = get_request("/livez");
    ASSERT_TRUE(connection->trickle(head, milliseconds(50), head.size() / 8 + 1));
    const RawResponse answer = connection->read_response(answer_timeout);
    EXPECT_EQ(answer.status, 200) << answer.describe();
}

// The head deadline is per request: a keep-alive connection whose requests each come in time
// keeps being served past the deadline counted from its first byte.
TEST_F(SlowClients, TheHeadDeadlineStartsAgainWithEachRequest) {
    auto connection = connect();
    const auto start = Clock::now();
    while (since(start) < head_timeout * 2) {
        const RawResponse answer = exchange(*connection, get_request("/livez"));
        ASSERT_EQ(answer.status, 200) << "after " << since(start).count() << " ms: " << answer.describe();
        std::this_thread::sleep_for(milliseconds(300));
    }
}

TEST_F(SlowClients, AnIdleKeepAliveConnectionIsClosedSilentlyAfterKeepAliveTimeout) {
    auto connection = connect();
    ASSERT_EQ(exchange(*connection, get_request("/livez")).status, 200);
    const auto idle_from = Clock::now();
    std::string extra;
    EXPECT_TRUE(connection->wait_closed(milliseconds(1000) + slack, &extra)) << "still open after keep_alive_timeout_s";
    EXPECT_GE(since(idle_from), milliseconds(1000) - early);
    EXPECT_EQ(extra, "") << "an idle connection is closed without an answer";
}

constexpr int per_client_max = 4;
constexpr int connections_max = 12;

class ConnectionCaps : public HostileTest {
public:
    static void SetUpTestSuite() {
        start_host({{"connections_per_client_max", std::to_string(per_client_max)},
                    {"connections_max", std::to_string(connections_max)}});
    }

protected:
    // count connections from address, each shown to be served (so that the host counts it).
    std::vector<std::unique_ptr<RawConnection>> hold(const std::string& address, int count) {
        std::vector<std::unique_ptr<RawConnection>> held;
        for (int i = 0; i < count; ++i) {
            held.push_back(connect(address));
            const RawResponse answer = exchange(*held.back(), get_request("/livez"));
            EXPECT_EQ(answer.status, 200) << address << " connection " << i + 1 << ": " << answer.describe();
        }
        return held;
    }
    // The answer an extra connection gets: the host may refuse it at once or at its request.
    static RawResponse refusal_of(RawConnection& extra) {
        RawResponse answer = extra.read_response(milliseconds(500));
        if (answer.end == ReadEnd::timed_out) answer = exchange(extra, get_request("/livez"));
        return answer;
    }
};

TEST_F(ConnectionCaps, OneConnectionPastThePerClientCapGets429WhileOtherAddressesAreServed) {
    auto held = hold("127.0.0.2", per_client_max);
    auto extra = connect("127.0.0.2");
    const RawResponse refused = refusal_of(*extra);
    EXPECT_TRUE(is_transport_error(*extra, refused, 429, "too_many_connections"));

    auto other = connect("127.0.0.3");
    EXPECT_EQ(exchange(*other, get_request("/livez")).status, 200) << "another address is still served";
    for (const auto& connection : held) {
        EXPECT_EQ(exchange(*connection, get_request("/livez")).status, 200) << "the held connections are still served";
    }
}

TEST_F(ConnectionCaps, AConnectionClosedUnderThePerClientCapMakesRoomForANewOne) {
    auto held = hold("127.0.0.4", per_client_max);
    held.pop_back();
    // The host learns of the close when it reads the end of the stream: allow it a moment.
    RawResponse answer;
    for (int attempt = 0; attempt < 20 && answer.status != 200; ++attempt) {
        std::this_thread::sleep_for(milliseconds(50));
        auto again = connect("127.0.0.4");
        answer = exchange(*again, get_request("/livez"));
    }
    EXPECT_EQ(answer.status, 200) << answer.describe();
}

TEST_F(ConnectionCaps, OneConnectionPastConnectionsMaxGets503) {
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int client = 0; client < connections_max / per_client_max; ++client) {
        for (auto& connection : hold("127.0.1." + std::to_string(client + 1), per_client_max)) {
            held.push_back(std::move(connection));
        }
    }
    auto extra = connect("127.0.2.1");
    const RawResponse refused = refusal_of(*extra);
    EXPECT_TRUE(is_transport_error(*extra, refused, 503, "overloaded"));
}

}  // namespace
}  // namespace billing::hostile
