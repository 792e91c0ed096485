// Slowloris and the traffic it must not starve, for the starvation test and slowloris_bench:
// - SlowCrowd: `count` connections, spread over loopback source addresses, each sending a
//   request head that never ends, one byte per `byte_interval`, from one thread. A connection
//   the server answers or closes (a 408 at its head deadline, a refusal) is replaced by a new
//   one, so the crowd stays `count` strong for as long as it runs.
// - run_normal_traffic: one client on 127.0.0.1, one keep-alive connection, a request every
//   `pace` (scheduled, so a late answer delays no later start and its latency counts from
//   when it was due), each read with `timeout`; anything but a 200 in time is an error.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.hpp"

namespace billing::hostile {

// Source addresses 127.0.<a>.<b> for the n-th of a crowd with per_address connections each,
// from 127.0.0.2 on (127.0.0.1 is the normal traffic's).
std::string crowd_address(std::size_t n, std::size_t per_address);

class SlowCrowd {
public:
    SlowCrowd(std::uint16_t port, std::size_t count, std::size_t per_address, milliseconds byte_interval);
    ~SlowCrowd();  // stops the thread and closes every connection
    SlowCrowd(const SlowCrowd&) = delete;
    SlowCrowd& operator=(const SlowCrowd&) = delete;

    // Opens the connections (throws if one cannot be made) and starts trickling.
    void start();
    void stop();

    // Connections replaced since start (answered, closed, or failed to send).
    [[nodiscard]] std::size_t replaced() const { return replaced_.load(); }
    // Slow head bytes sent since start.
    [[nodiscard]] std::size_t bytes_sent() const { return bytes_sent_.load(); }
    // The first answer the server gave a slow connection ("" if none), e.g. its 408.
    [[nodiscard]] std::string first_answer() const;

private:
    struct Slot {
        std::string address;
        std::unique_ptr<RawConnection> connection;
        std::size_t sent = 0;
    };
    void run();
    void serve(Slot& slot);

    std::uint16_t port_;
    milliseconds byte_interval_;
    std::vector<Slot> slots_;
    std::atomic<bool> running_{false};
    std::atomic<std::size_t> replaced_{0};
    std::atomic<std::size_t> bytes_sent_{0};
    std::string first_answer_;  // written by the crowd's thread until stop()
    std::thread thread_;
};

struct TrafficResult {
    std::vector<double> latencies_ms;  // of every request, answered or not
    std::size_t errors = 0;
    std::string first_error;
    double max_ms = 0;
};

// request is sent as it is, on one connection (reopened when the server closed it).
TrafficResult run_normal_traffic(std::uint16_t port, const std::string& request, milliseconds duration,
                                 milliseconds pace, milliseconds timeout);

// The p-th percentile (0..100) of values (nearest rank); 0 for none.
double percentile(std::vector<double> values, double p);

}  // namespace billing::hostile
