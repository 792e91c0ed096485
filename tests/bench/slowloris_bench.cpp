// billing_slowloris_bench: what slow clients cost everyone else. The real billing-host binary
// (the integration harness's HostProcess, default limits: threads_max 32) serves 4 normal
// clients, each sending GET /v1/products on a keep-alive connection every 20 ms, first alone
// and then while 200 connections trickle request heads at one byte a second each (from 50
// loopback addresses, replaced whenever the host answers or closes one), in the same run.
// Never registered with ctest; see README.md.
//
//   billing_slowloris_bench [--quick] [--slow N] [--seconds S]
#include <algorithm>
#include <cstdlib>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "slow_crowd.hpp"
#include "support/host_process.hpp"

namespace {

using billing::hostile::milliseconds;

struct Options {
    std::size_t slow = 200;
    std::size_t clients = 4;
    milliseconds alone{10'000};
    milliseconds with_crowd{30'000};
    milliseconds pace{20};
    milliseconds timeout{5'000};
};

int usage(const std::string& arg) {
    std::cerr << "usage: billing_slowloris_bench [--quick] [--slow N] [--seconds S]\n"
                 "  --quick      50 slow connections, 3 s alone and 6 s with them (a smoke run)\n"
                 "  --slow N     slow connections (default 200)\n"
                 "  --seconds S  how long the slow connections are held (default 30; alone: a third)\n";
    return arg == "--help" ? 0 : 2;
}

// The 4 normal clients for `duration`, their results merged.
billing::hostile::TrafficResult normal_traffic(std::uint16_t port, const std::string& request, const Options& options,
                                               milliseconds duration) {
    std::vector<std::future<billing::hostile::TrafficResult>> clients;
    for (std::size_t i = 0; i < options.clients; ++i) {
        clients.push_back(std::async(std::launch::async, [&] {
            return billing::hostile::run_normal_traffic(port, request, duration, options.pace, options.timeout);
        }));
    }
    billing::hostile::TrafficResult all;
    for (auto& client : clients) {
        const auto one = client.get();
        all.latencies_ms.insert(all.latencies_ms.end(), one.latencies_ms.begin(), one.latencies_ms.end());
        if (all.errors == 0 && one.errors > 0) all.first_error = one.first_error;
        all.errors += one.errors;
        all.max_ms = std::max(all.max_ms, one.max_ms);
    }
    return all;
}

void print_latency(const std::string& name, const billing::hostile::TrafficResult& result) {
    std::cout << "LATENCY name=" << name << " p50=" << billing::hostile::percentile(result.latencies_ms, 50)
              << " p99=" << billing::hostile::percentile(result.latencies_ms, 99) << " max=" << result.max_ms
              << " errors=" << result.errors << " requests=" << result.latencies_ms.size() << " unit=ms\n";
    if (result.errors > 0) std::cout << "# " << name << " first error: " << result.first_error << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            options.slow = 50;
            options.alone = milliseconds(3'000);
            options.with_crowd = milliseconds(6'000);
        } else if (arg == "--slow" && i + 1 < argc) {
            options.slow = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--seconds" && i + 1 < argc) {
            options.with_crowd = milliseconds(1000 * std::strtol(argv[++i], nullptr, 10));
            options.alone = options.with_crowd / 3;
        } else {
            return usage(arg);
        }
    }
    try {
        auto host = billing::integration::HostProcess::start();
        const std::string request =
            billing::hostile::get_request("/v1/products", "Authorization: Bearer " + host->demo().service_key + "\r\n");
        std::cout << "# " << options.clients << " normal clients, a request each every " << options.pace.count()
                  << " ms; " << options.slow << " slow connections, one head byte a second each\n";

        const auto alone = normal_traffic(host->port(), request, options, options.alone);

        billing::hostile::SlowCrowd crowd(host->port(), options.slow, 4, milliseconds(1000));
        crowd.start();
        std::this_thread::sleep_for(milliseconds(1200));  // every slow connection has begun its head
        const auto crowded = normal_traffic(host->port(), request, options, options.with_crowd);
        const std::size_t replaced = crowd.replaced();
        crowd.stop();

        print_latency("normal_under_slowloris", crowded);
        print_latency("normal_alone", alone);
        const double floor_p99 = billing::hostile::percentile(alone.latencies_ms, 99);
        const double p99 = billing::hostile::percentile(crowded.latencies_ms, 99);
        std::cout << "RATIO name=slowloris_p99 value=" << (floor_p99 > 0 ? p99 / floor_p99 : 0) << " p99_ms=" << p99
                  << " floor_p99_ms=" << floor_p99 << "\n";
        std::cout << "INFO name=slow_connections replaced=" << replaced << " head_bytes=" << crowd.bytes_sent()
                  << " first_answer=\"" << crowd.first_answer().substr(0, crowd.first_answer().find('\r')) << "\"\n";
        const std::string stopped = host->stop();
        if (stopped != "exit 0") std::cout << "# the host ended with " << stopped << "\n";
        return crowded.errors + alone.errors == 0 && stopped == "exit 0" ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "billing_slowloris_bench: " << e.what() << "\n";
        return 2;
    }
}
