// Slow clients must not starve everyone else: 200 connections trickling request heads (one
// byte a second each, from 50 loopback addresses) held for about ten seconds, while a normal
// client on 127.0.0.1 sends a request every 50 ms. Every normal request must succeed, and none
// may wait 2 s: a liveness bound (a starved host makes them wait for a thread for as long as
// the slow heads last), not a latency figure; tests/bench/slowloris_bench.cpp measures that.
//
// The host runs with its default limits (threads_max 32, head_timeout_ms 10000,
// connections_per_client_max 256): the crowd is what a default deployment must survive.
#include <gtest/gtest.h>

#include <future>
#include <iostream>
#include <string>
#include <thread>

#include "hostile_fixture.hpp"
#include "slow_crowd.hpp"

namespace billing::hostile {
namespace {

constexpr std::size_t slow_connections = 200;
constexpr std::size_t per_address = 4;
constexpr milliseconds slow_byte_interval{1000};
constexpr milliseconds held_for{10000};
constexpr milliseconds liveness_bound{2000};

class Starvation : public HostileTest {
public:
    static void SetUpTestSuite() { start_host({}); }
};

TEST_F(Starvation, TwoHundredSlowHeadsDoNotStarveNormalRequests) {
    SlowCrowd crowd(port(), slow_connections, per_address, slow_byte_interval);
    crowd.start();
    // Let every slow connection get its first bytes in (and so be accepted and reading a head).
    std::this_thread::sleep_for(slow_byte_interval + milliseconds(200));

    const std::string request = get_request("/v1/products", bearer(service_key()));
    auto traffic = std::async(std::launch::async, [&] {
        return run_normal_traffic(port(), request, held_for, milliseconds(50), liveness_bound);
    });
    // Halfway, well inside the default head deadline (10 s), the slow connections must still be
    // the ones opened at the start: held by the host, not refused and replaced.
    std::this_thread::sleep_for(held_for / 2);
    const std::size_t replaced = crowd.replaced();
    const TrafficResult normal = traffic.get();
    crowd.stop();

    EXPECT_EQ(normal.errors, 0U) << "first error: " << normal.first_error;
    EXPECT_LT(normal.max_ms, static_cast<double>(liveness_bound.count()));
    EXPECT_GE(normal.latencies_ms.size(), 100U);
    // The crowd was really there: its connections were held, not refused and replaced at once.
    EXPECT_LT(replaced, slow_connections / 10)
        << "the host did not hold the slow connections: " << crowd.first_answer();
    std::cout << "normal requests: " << normal.latencies_ms.size() << ", errors " << normal.errors << ", p50 "
              << percentile(normal.latencies_ms, 50) << " ms, p99 " << percentile(normal.latencies_ms, 99)
              << " ms, max " << normal.max_ms << " ms; slow bytes sent " << crowd.bytes_sent()
              << ", slow connections replaced by half time " << replaced << "\n";
}

}  // namespace
}  // namespace billing::hostile
