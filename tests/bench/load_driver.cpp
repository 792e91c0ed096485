#include "load_driver.hpp"

#include <chrono>
#include <latch>
#include <thread>

namespace billing::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct ClientResult {
    std::size_t pairs = 0;
    bool failed = false;
    std::vector<std::int64_t> purchase_us, cancel_us;
};

std::int64_t micros_since(Clock::time_point from) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - from).count();
}

// Runs body(client index, result) on one thread per client, all released together, and
// gathers what they did.
template <class Body>
LoadRun run_clients(const std::vector<PairClient*>& clients, Body body) {
    std::vector<ClientResult> results(clients.size());
    std::latch ready(static_cast<std::ptrdiff_t>(clients.size()) + 1);
    std::vector<std::thread> threads;
    threads.reserve(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i) {
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            body(i, results[i]);
        });
    }
    ready.arrive_and_wait();
    const auto start = Clock::now();
    for (std::thread& t : threads) t.join();
    LoadRun run;
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (std::size_t i = 0; i < clients.size(); ++i) {
        ClientResult& r = results[i];
        run.pairs += r.pairs;
        if (r.failed) {
            if (run.failures++ == 0) run.first_failure = clients[i]->failure();
        }
        run.purchase_us.insert(run.purchase_us.end(), r.purchase_us.begin(), r.purchase_us.end());
        run.cancel_us.insert(run.cancel_us.end(), r.cancel_us.begin(), r.cancel_us.end());
    }
    return run;
}

}  // namespace

LoadRun run_flat_out(const std::vector<PairClient*>& clients, std::size_t pairs_per_client) {
    return run_clients(clients, [&](std::size_t i, ClientResult& result) {
        PairClient& client = *clients[i];
        while (result.pairs < pairs_per_client) {
            if (!client.purchase() || !client.cancel()) {
                result.failed = true;
                return;
            }
            result.pairs += client.pairs_per_call();
        }
    });
}

LoadRun run_paced(const std::vector<PairClient*>& clients, std::size_t pairs_per_client, double requests_per_s) {
    const auto n = static_cast<double>(clients.size());
    const std::chrono::duration<double> interval(2.0 * n / requests_per_s);
    const auto start = Clock::now();
    return run_clients(clients, [&](std::size_t i, ClientResult& result) {
        PairClient& client = *clients[i];
        result.purchase_us.reserve(pairs_per_client);
        result.cancel_us.reserve(pairs_per_client);
        const auto offset = interval * (static_cast<double>(i) / n);
        for (std::size_t k = 0; k < pairs_per_client; ++k) {
            const auto buy_at =
                start + std::chrono::duration_cast<Clock::duration>(offset + interval * static_cast<double>(k));
            const auto cancel_at = buy_at + std::chrono::duration_cast<Clock::duration>(interval / 2);
            std::this_thread::sleep_until(buy_at);
            if (!client.purchase()) {
                result.failed = true;
                return;
            }
            result.purchase_us.push_back(micros_since(buy_at));
            std::this_thread::sleep_until(cancel_at);
            if (!client.cancel()) {
                result.failed = true;
                return;
            }
            result.cancel_us.push_back(micros_since(cancel_at));
            ++result.pairs;
        }
    });
}

}  // namespace billing::bench
