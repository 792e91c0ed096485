// billing_crash_driver: the process the crash test kills. It opens the SQLite database as the
// host does (WAL, synchronous FULL, group commit on), finds or creates its two tenants (a live
// one and one in test mode, driver_ops.hpp), loads the real OTPDesk plugin, runs a SweeperRunner
// in the background on a clock running --scale times real time, and sends pseudo-random
// operations to the engine from --writers threads at once, each on its own accounts with its own
// seeded stream, so that group commit puts writes of several writers in one batch. Each answer is
// printed only after the engine returned, i.e. after the batch holding it committed
// (crash_protocol.hpp).
//
//   billing_crash_driver --db FILE --run N --seed N [--writers W] [--ops M] [--max-ms T]
//                        [--epoch-ns E] [--scale S] [--retry "KIND KEY ARGS..."]... [--drain]
//
// --ops is per writer. --retry, once per writer at most: an operation a killed driver left
// unanswered, which the writer its key names sends again before anything new.
// --drain: after the retries, jumps the clock and the test-mode tenant's clock past every timer
// there can be, runs the test-mode tenant's timers, lets the sweeper run all the live ones and
// exits 0 once none is left (5 if some are left when its time is up).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "billing/engine/sweeper.hpp"
#include "billing/engine/sweeper_runner.hpp"
#include "billing/plugin/loader.hpp"
#include "billing/storage/migrations.hpp"
#include "crash_protocol.hpp"
#include "driver_ops.hpp"
#include "one_policy.hpp"

namespace billing::crash {
namespace {

constexpr std::int64_t drain_wait_ms_max = 25'000;

struct Options {
    std::string db;
    std::string plugin = BILLING_OTPDESK_PLUGIN;
    std::string config = BILLING_OTPDESK_CONFIG;
    int run = 1;
    std::uint64_t seed = 1;
    int writers = writers_max;
    int ops = 999;
    std::int64_t max_ms = 20'000;
    std::int64_t epoch_ns = 0;
    std::int64_t scale = 20000;
    UtcMs t0_ms = 1'700'000'000'000;
    std::vector<std::string> retries;
    bool drain = false;
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr, "billing_crash_driver: %s\n", why.c_str());
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    o.epoch_ns = monotonic_ns();
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--drain") {
            o.drain = true;
            continue;
        }
        if (i + 1 >= argc) usage(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--db")
            o.db = value;
        else if (arg == "--plugin")
            o.plugin = value;
        else if (arg == "--config")
            o.config = value;
        else if (arg == "--run")
            o.run = std::stoi(value);
        else if (arg == "--seed")
            o.seed = std::stoull(value);
        else if (arg == "--writers")
            o.writers = std::stoi(value);
        else if (arg == "--ops")
            o.ops = std::stoi(value);
        else if (arg == "--max-ms")
            o.max_ms = std::stoll(value);
        else if (arg == "--epoch-ns")
            o.epoch_ns = std::stoll(value);
        else if (arg == "--scale")
            o.scale = std::stoll(value);
        else if (arg == "--t0-ms")
            o.t0_ms = std::stoll(value);
        else if (arg == "--retry")
            o.retries.push_back(value);
        else
            usage("unknown option " + arg);
    }
    if (o.db.empty()) usage("--db FILE is required");
    // Deposit amounts and keys encode the run, the writer and n (deposit_minor); they must stay unique.
    if (o.ops < 0 || o.ops > 999 || o.run < 1 || o.run > 999'999) usage("--ops must be 0..999, --run 1..999999");
    if (o.writers < 1 || o.writers > writers_max) usage("--writers must be 1.." + std::to_string(writers_max));
    if (o.scale < 1 || o.scale > 100'000) usage("--scale must be 1..100000");
    return o;
}

[[noreturn]] void fail(const char* step, const Error& error) {
    std::fprintf(stderr, "billing_crash_driver: %s: %s: %s\n", step, error.code.c_str(), error.message.c_str());
    std::exit(3);
}

std::shared_ptr<const plugin::PolicyInstance> load_otpdesk(const Options& o, UtcMs now_ms) {
    std::ifstream file(o.config);
    std::stringstream text;
    text << file.rdbuf();
    plugin::LoadOptions load;
    // Next to the database, so a killed driver's copy folder goes away with the test's folder.
    load.copy_dir = std::filesystem::path(o.db).parent_path() / "plugin-copies";
    load.now_ms = now_ms;
    auto loaded = plugin::load_policy(o.plugin, text.str(), o.config, load);
    if (!loaded) fail("load_policy", loaded.error());
    return loaded.value();
}

// The retries by writer: at most one each, each for a writer this driver runs.
std::vector<std::vector<std::string>> retries_by_writer(const Options& o) {
    std::vector<std::vector<std::string>> by_writer(static_cast<std::size_t>(o.writers));
    for (const std::string& retry : o.retries) {
        std::vector<std::string> words = split_words(retry);
        const int writer = words.size() < 3 ? -1 : writer_of(words[1]);
        if (writer < 0 || writer >= o.writers) usage("--retry for no writer of this driver: " + retry);
        std::vector<std::string>& slot = by_writer[static_cast<std::size_t>(writer)];
        if (!slot.empty()) usage("two --retry for writer " + std::to_string(writer));
        slot = std::move(words);
    }
    return by_writer;
}

// Runs each writer on a thread of its own, all at once: its retry first, then (unless draining)
// its own operations until --ops or --max-ms. Returns when every writer is done.
void run_writers(const Options& o, std::vector<Workload>& workloads) {
    const std::vector<std::vector<std::string>> retries = retries_by_writer(o);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.max_ms);
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workloads.size(); ++w) {
        threads.emplace_back([&o, &workloads, &retries, until, w] {
            try {
                Workload& workload = workloads[w];
                if (!retries[w].empty()) workload.run(retries[w]);
                for (int n = 0; !o.drain && n < o.ops && std::chrono::steady_clock::now() < until; ++n) {
                    workload.run(workload.next(n));
                }
            } catch (const std::exception& e) {
                std::fprintf(stderr, "billing_crash_driver: writer %zu: %s\n", w, e.what());
                std::_Exit(7);
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
}

// Drain mode, once the retries are answered: every timer there can be run (see the top).
int drain(storage::Database& db, ScaledClock& clock, Workload& lab_driver, SweeperRunner& runner,
          const std::string& live_id, const std::atomic<std::size_t>& sweep_failures) {
    // The live tenant's timers fall to the background sweeper once the clock has jumped; the
    // lab tenant's run only when its own clock is advanced past them.
    clock.jump(drain_jump_ms);
    const bool lab_drained = lab_driver.drain_lab(drain_jump_ms);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_wait_ms_max);
    while (timers_due_for(db, live_id, clock.now_ms()) > 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    runner.stop();
    const UtcMs drained_ms = clock.now_ms();
    const long long left = timers_due_for(db, live_id, drained_ms) + (lab_drained ? 0 : 1);
    emit_stats(db);
    emit("DRAINED " + std::to_string(drained_ms) + " " + std::to_string(left) + " " +
         std::to_string(sweep_failures.load()));
    return left == 0 ? 0 : 5;
}

int drive(const Options& o) {
    ScaledClock clock(o.t0_ms, o.epoch_ns, o.scale);
    storage::DatabaseOptions db_options;
    db_options.target = o.db;
    db_options.sqlite_synchronous = config::SqliteSynchronous::full;
    db_options.busy_timeout_ms = 10'000;
    db_options.write_attempts_max = 50;
    // What the crash test proves: with group commit, an answer given is an answer committed.
    db_options.group_commit = true;
    auto opened = storage::Database::open(db_options);
    if (!opened) fail("open", opened.error());
    storage::Database& db = *opened.value();
    if (auto migrated = storage::migrate(db, clock.now_ms()); !migrated) fail("migrate", migrated.error());

    const auto policy = load_otpdesk(o, clock.now_ms());
    Engine engine(db, clock);
    auto worlds = set_up_worlds(engine);
    if (!worlds) fail("set-up", worlds.error());

    std::atomic<std::size_t> sweep_failures{0};
    const test::OnePolicy policies(policy);
    Sweeper sweeper(engine, policies, "crash-r" + std::to_string(o.run));
    // Leases are simulated time, intervals real time: a 600 s lease ends 30 real ms after a kill at
    // scale 20000, so the next driver takes the dead one's claimed timers over quickly.
    SweeperRunner runner(sweeper, clock, SweeperRunnerOptions{10, 600, 20, 5}, [&](const SweepStats& stats) {
        if (stats.failed == 0) return;
        sweep_failures += stats.failed;
        std::fprintf(stderr, "billing_crash_driver: sweep failed: %s: %s\n", stats.last_error.code.c_str(),
                     stats.last_error.message.c_str());
    });
    runner.start();
    emit("READY");

    const std::string live_id = worlds.value().front().live.id;
    WriterShared shared;
    std::vector<Workload> workloads;
    workloads.reserve(static_cast<std::size_t>(o.writers));
    for (int w = 0; w < o.writers; ++w) {
        workloads.emplace_back(engine, *policy, sweeper, worlds.value().at(static_cast<std::size_t>(w)), clock, shared,
                               o.seed, o.run, w);
    }
    run_writers(o, workloads);
    if (o.drain) return drain(db, clock, workloads.front(), runner, live_id, sweep_failures);
    runner.stop();
    emit_stats(db);
    emit("DONE");
    return 0;
}

}  // namespace
}  // namespace billing::crash

int main(int argc, char** argv) {
    try {
        return billing::crash::drive(billing::crash::parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "billing_crash_driver: %s\n", e.what());
        return 7;
    }
}
