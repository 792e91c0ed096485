// The load of billing_http_bench: N client threads, each buying and cancelling, pair after pair,
// either as fast as answers come back (the throughput figures) or at a fixed offered rate (the
// latency figures). The same driver runs the HTTP clients, the trivial-handler clients and the
// raw-transaction floor, so every side is timed by the same code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace billing::bench {

// One client of the load, used by one thread at a time.
class PairClient {
public:
    virtual ~PairClient() = default;
    // Each returns only when its effect is durable (or failed); false on any failure, which
    // failure() then describes. cancel() cancels the order of the last purchase().
    virtual bool purchase() = 0;
    virtual bool cancel() = 0;
    // How many orders one purchase() buys and the next cancel() cancels: more than one for a
    // floor that writes several requests in one transaction.
    [[nodiscard]] virtual std::size_t pairs_per_call() const { return 1; }
    [[nodiscard]] const std::string& failure() const { return failure_; }

protected:
    std::string failure_;
};

struct LoadRun {
    double seconds = 0;         // first start to last answer
    std::size_t pairs = 0;      // purchase + cancel pairs completed
    std::size_t failures = 0;   // clients that stopped on a failure
    std::string first_failure;  // what the first of them reported
    // Paced runs only: per request, from its scheduled start (so a request that had to wait for
    // the previous one counts the wait: no coordinated omission) to its answer.
    std::vector<std::int64_t> purchase_us, cancel_us;

    [[nodiscard]] double requests_per_s() const { return seconds > 0 ? 2.0 * static_cast<double>(pairs) / seconds : 0; }
};

// Every client runs pairs back to back, all starting together, until it has done at least
// pairs_per_client (a client of several pairs per call may do a few more).
LoadRun run_flat_out(const std::vector<PairClient*>& clients, std::size_t pairs_per_client);

// Every client runs pairs_per_client pairs, the k-th purchase scheduled at start + offset +
// k * interval, the clients' offsets spread evenly, so that together they offer
// requests_per_s (purchases and cancels counted alike). A cancel is scheduled half an interval
// after its purchase.
LoadRun run_paced(const std::vector<PairClient*>& clients, std::size_t pairs_per_client, double requests_per_s);

}  // namespace billing::bench
