#include "swap_bench.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_env.hpp"
#include "bench_host.hpp"
#include "billing/http/json_writer.hpp"
#include "http_pair_client.hpp"
#include "load_driver.hpp"

namespace billing::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Far above one activation's price: a customer never has more than one order open.
constexpr MinorUnits deposit_minor = 100'000;

// The client requests of one kind of round, over all its rounds.
struct Latencies {
    std::vector<std::int64_t> all, purchase, cancel;
    double seconds = 0;
    std::size_t requests = 0, rounds = 0;

    void add(const LoadRun& run) {
        purchase.insert(purchase.end(), run.purchase_us.begin(), run.purchase_us.end());
        cancel.insert(cancel.end(), run.cancel_us.begin(), run.cancel_us.end());
        all.insert(all.end(), run.purchase_us.begin(), run.purchase_us.end());
        all.insert(all.end(), run.cancel_us.begin(), run.cancel_us.end());
        seconds += run.seconds;
        requests += 2 * run.pairs;
        ++rounds;
    }
    [[nodiscard]] double achieved_per_s() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// What the operator thread did, over all swapping rounds.
struct SwapTally {
    std::size_t posted = 0;      // reloads sent; the n-th with n % refuse_every == 0 names a missing file
    std::size_t swaps = 0;       // same-file reloads answered 200
    std::size_t refused = 0;     // missing-file reloads answered 422 plugin_reload_refused
    std::size_t unexpected = 0;  // any other answer
    std::string first_unexpected;
    std::vector<std::int64_t> swap_us, refuse_us;  // each reload's own answer time
};

// Client failures, over the whole run.
struct Failures {
    std::size_t count = 0;
    std::string first;

    void add(const LoadRun& run, const std::string& what) {
        if (run.failures == 0) return;
        if (count == 0) first = what + ": " + run.first_failure;
        count += run.failures;
        std::cerr << "billing_swap_bench: " << what << ": " << run.failures
                  << " client(s) stopped on a failure; the first: " << run.first_failure << '\n';
    }
};

std::string missing_file_body(const std::filesystem::path& dir) {
    http::JsonWriter w;
    w.begin_object().key("file").string((dir / "no-such-otpdesk.so").string()).end_object();
    return w.take();
}

bool is_refusal(const HttpReply& reply) {
    return reply.status == 422 && reply.body.find("plugin_reload_refused") != std::string::npos;
}

// One reload, judged and counted.
void reload_once(BenchHost& host, const std::string& missing_body, std::size_t refuse_every, SwapTally& tally) {
    const bool refuse = ++tally.posted % refuse_every == 0;
    const Stopwatch watch;
    const HttpReply reply = host.reload_policy(refuse ? missing_body : "{}");
    const std::int64_t us = watch.micros();
    if (refuse ? is_refusal(reply) : reply.ok()) {
        (refuse ? tally.refused : tally.swaps) += 1;
        (refuse ? tally.refuse_us : tally.swap_us).push_back(us);
        return;
    }
    if (tally.unexpected++ == 0) {
        tally.first_unexpected = std::string(refuse ? "the missing-file reload" : "the same-file reload") +
                                 " answered " + std::to_string(reply.status) + ": " + reply.body;
    }
}

// The operator thread of a swapping round: a reload every `every`, from `every` after its start
// until stop(). A reload that takes longer than `every` delays the next (no catch-up burst).
class Swapper {
public:
    Swapper(BenchHost& host, const std::string& missing_body, const SwapBenchOptions& options, SwapTally& tally) {
        thread_ = std::thread([&host, &missing_body, &options, &tally, this] {
            auto next = Clock::now() + options.swap_every;
            for (;;) {
                {
                    std::unique_lock lock(mutex_);
                    if (stop_cv_.wait_until(lock, next, [this] { return stopping_; })) return;
                }
                reload_once(host, missing_body, options.refuse_every, tally);
                next = std::max(next + options.swap_every, Clock::now());
            }
        });
    }
    ~Swapper() { stop(); }
    Swapper(const Swapper&) = delete;
    Swapper& operator=(const Swapper&) = delete;

    void stop() {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        stop_cv_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable stop_cv_;
    bool stopping_ = false;
    std::thread thread_;
};

std::vector<PairClient*> pointers(const std::vector<std::unique_ptr<HttpPairClient>>& clients) {
    std::vector<PairClient*> out;
    for (const auto& c : clients) out.push_back(c.get());
    return out;
}

// Before anything is measured: a same-file reload must swap and a missing file must be refused,
// or the figures would measure something else.
void check_reload_works(BenchHost& host, const std::string& missing_body, std::ostream& out) {
    const HttpReply swapped = host.reload_policy("{}");
    if (!swapped.ok()) {
        fail("POST /admin/plugins/otpdesk/reload {} answered " + std::to_string(swapped.status) + ": " + swapped.body);
    }
    const HttpReply refused = host.reload_policy(missing_body);
    if (!is_refusal(refused)) {
        fail("POST /admin/plugins/otpdesk/reload of a missing file answered " + std::to_string(refused.status) +
             " (expected 422 plugin_reload_refused): " + refused.body);
    }
    out << "# reload checked: {} swaps (200), a missing file is refused (422 plugin_reload_refused)\n" << std::flush;
}

// The host's flat-out rate with these clients: a run sized from the warm-up's rate to last
// about probe_s.
double measure_flat_out(const std::vector<PairClient*>& clients, const SwapBenchOptions& options, double warmup_per_s,
                        Failures& failures, std::ostream& out) {
    const auto n = static_cast<double>(clients.size());
    const auto pairs = static_cast<std::size_t>(std::max(5.0, std::round(options.probe_s * warmup_per_s / 2 / n)));
    const LoadRun run = run_flat_out(clients, pairs);
    failures.add(run, "flat-out run");
    out << "INFO name=swap_flat_out per_s=" << fixed(run.requests_per_s(), 1) << " clients=" << clients.size()
        << " requests=" << 2 * run.pairs << " seconds=" << fixed(run.seconds, 2) << '\n'
        << std::flush;
    return run.requests_per_s();
}

void latency_line(const char* name, Latencies& l, double offered, std::size_t clients, std::ostream& out) {
    out << "LATENCY name=" << name << " p50_us=" << quantile(l.all, 0.50) << " p99_us=" << quantile(l.all, 0.99)
        << " max_us=" << quantile(l.all, 1.0) << " purchase_p99_us=" << quantile(l.purchase, 0.99)
        << " cancel_p99_us=" << quantile(l.cancel, 0.99) << " offered_per_s=" << fixed(offered, 1)
        << " achieved_per_s=" << fixed(l.achieved_per_s(), 1) << " clients=" << clients << " rounds=" << l.rounds
        << " samples=" << l.all.size() << '\n';
}

}  // namespace

int run_swap_bench(const std::filesystem::path& dir, const SwapBenchOptions& options, std::ostream& out) {
    const std::size_t n = options.clients;
    const BenchDatabase database(Backend::sqlite3, dir, "swap");
    BenchHost host(dir, "swap", database.config(), n, deposit_minor);
    const std::string missing_body = missing_file_body(dir);
    check_reload_works(host, missing_body, out);

    std::vector<std::unique_ptr<HttpPairClient>> owned;
    for (std::size_t i = 0; i < n; ++i) {
        owned.push_back(std::make_unique<HttpPairClient>(host.port(), host.service_key, host.customers[i],
                                                         "swap" + std::to_string(i)));
    }
    const std::vector<PairClient*> clients = pointers(owned);
    Failures failures;
    const LoadRun warmup = run_flat_out(clients, options.warmup_pairs);
    failures.add(warmup, "warm-up");

    double offered = options.rate;
    if (offered <= 0) {
        const double flat_out = measure_flat_out(clients, options, warmup.requests_per_s(), failures, out);
        if (flat_out <= 0) fail("the flat-out run completed no request");
        offered = flat_out / 2;
    }
    const auto pairs =
        static_cast<std::size_t>(std::max(1.0, std::round(options.round_s * offered / 2 / static_cast<double>(n))));
    out << "# offered " << fixed(offered, 1) << " requests/s"
        << (options.rate > 0 ? " (--rate)" : " (half of flat out)") << ", " << pairs << " pairs per client and round, "
        << options.rounds << " rounds of each kind; swapping rounds reload every " << options.swap_every.count()
        << " ms, every " << options.refuse_every << "th a missing file\n"
        << std::flush;

    Latencies steady, swapping;
    SwapTally tally;
    for (std::size_t round = 1; round <= options.rounds; ++round) {
        const std::string r = " round " + std::to_string(round);
        LoadRun quiet = run_paced(clients, pairs, offered);
        failures.add(quiet, "steady" + r);
        LoadRun busy;
        const std::size_t swaps_before = tally.swaps;
        {
            Swapper swapper(host, missing_body, options, tally);
            busy = run_paced(clients, pairs, offered);
        }
        failures.add(busy, "swapping" + r);
        out << "# round " << round << ": steady p99_us=" << quantile(quiet.purchase_us, 0.99) << "/"
            << quantile(quiet.cancel_us, 0.99) << " swapping p99_us=" << quantile(busy.purchase_us, 0.99) << "/"
            << quantile(busy.cancel_us, 0.99) << " (purchase/cancel), " << tally.swaps - swaps_before << " swaps\n"
            << std::flush;
        steady.add(quiet);
        swapping.add(busy);
    }

    const std::int64_t p99_steady = quantile(steady.all, 0.99);
    const std::int64_t p99_swapping = quantile(swapping.all, 0.99);
    out << "RATIO name=swap_p99 value="
        << fixed(p99_steady > 0 ? static_cast<double>(p99_swapping) / static_cast<double>(p99_steady) : 0, 3)
        << " target=1.5 p99_swapping_us=" << p99_swapping << " p99_steady_us=" << p99_steady << " swaps=" << tally.swaps
        << " refused=" << tally.refused << " offered_per_s=" << fixed(offered, 1) << " clients=" << n << '\n';
    latency_line("swap_steady", steady, offered, n, out);
    latency_line("swap_swapping", swapping, offered, n, out);
    out << "INFO name=swap_reload p50_us=" << quantile(tally.swap_us, 0.50)
        << " p99_us=" << quantile(tally.swap_us, 0.99) << " max_us=" << quantile(tally.swap_us, 1.0)
        << " refused_p50_us=" << quantile(tally.refuse_us, 0.50) << " refused_max_us=" << quantile(tally.refuse_us, 1.0)
        << " posted=" << tally.posted << " swaps=" << tally.swaps << " refused=" << tally.refused
        << " unexpected=" << tally.unexpected << '\n'
        << std::flush;
    host.stop();

    int code = 0;
    if (failures.count > 0) {
        std::cerr << "billing_swap_bench: FAILED: " << failures.count
                  << " client request(s) did not succeed; the first: " << failures.first << '\n';
        code = 1;
    }
    if (tally.unexpected > 0) {
        std::cerr << "billing_swap_bench: FAILED: " << tally.unexpected
                  << " reload(s) were not answered as expected; the first: " << tally.first_unexpected << '\n';
        code = 1;
    }
    return code;
}

}  // namespace billing::bench
