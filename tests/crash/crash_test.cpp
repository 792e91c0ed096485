// The crash test (requirement "Crash"): billing_crash_driver does seeded work on one SQLite file
// (deposits, purchases, cancels, codes, rental extensions on a live tenant and on a test-mode
// one, and advances of the test-mode tenant's clock, which run its timers) from several writer
// threads at once, with group commit on, so that writes of several writers share one batch's
// COMMIT, while its sweeper runs the live tenant's timers in the background; the test kills it
// with SIGKILL at random moments (during start-up, between operations, in the middle of a batch)
// at least 100 times and restarts it on the same file, handing each new driver the operations the
// last one was killed in (one per writer at most), as clients retry with their Idempotency-Keys.
// A final run drains every timer. Then everything the drivers acknowledged must be in the
// database exactly once, every order and every balance must be what the answers alone say
// (crash_model.hpp), every timer must have run exactly once at its due time, and the ledger audit
// must be clean. The drivers' STATS lines must show batches of more than one write on average:
// otherwise the kills proved nothing about group commit.
//
// The seed is printed; BILLING_CRASH_SEED=N replays the same operations and kill plan (the kill
// moments and the interleaving of the writers still depend on timing, so a replay is close to,
// not exactly, the failing run).
// BILLING_CRASH_KEEP_DB=1 keeps the database and journal.txt (the drivers' output) of a passing
// run too; a failing run's are always kept.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "billing/core/ids.hpp"
#include "child_process.hpp"
#include "crash_model.hpp"
#include "crash_protocol.hpp"
#include "crash_verify.hpp"
#include "scaled_clock.hpp"

namespace billing::crash {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// The drivers are killed until this many kills are done (an assertion, not a goal), within
// kill_phase_max (a bound for a machine far slower than expected, not a timing assertion).
constexpr int kills_min = 100;
// Each kind of work (crash_model.hpp's Tally) must have been acknowledged at least this often.
constexpr int kind_floor = 5;
// Per cent of the operations a kill leaves in flight that the client gives up on; the others
// are sent again, under the same key, by the next driver.
constexpr int abandon_pct = 25;
// Writer threads per driver: as many as set-up made accounts for.
constexpr int writers = writers_max;
// Simulated time runs 20000x real time: the 2-minute cancel threshold is 6 ms, the 20-minute
// activation window and rental cancel window 60 ms, a one-day rental 4.3 s. So cancels and codes
// land before, inside and after their windows, and timers of every kind fall due between kills.
constexpr int time_scale = 20000;
constexpr auto kill_phase_max = 150s;
constexpr auto run_stall_max = 15s;
constexpr auto drain_max = 40s;

std::uint64_t seed_from_env() {
    if (const char* text = std::getenv("BILLING_CRASH_SEED"); text != nullptr && *text != '\0') {
        return std::stoull(text);
    }
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
}

// When to kill one driver: early (at a random moment of its start-up: plugin load, migrations,
// set-up), or after a number of answers plus a delay from a fraction of a commit to a few.
struct KillPlan {
    bool early = false;
    std::chrono::milliseconds early_after{0};
    int answers = 0;
    std::chrono::microseconds delay{0};
    // By writer: its operation left in flight is not sent again (its client gave up).
    std::array<bool, writers> abandon{};
};

KillPlan plan_kill(std::mt19937_64& rng) {
    const auto roll = [&rng](int max) { return std::uniform_int_distribution<int>(0, max)(rng); };
    KillPlan plan;
    plan.early = roll(99) < 15;
    plan.early_after = std::chrono::milliseconds(roll(150));
    plan.answers = roll(60);
    const int kind = roll(99);
    plan.delay = std::chrono::microseconds(kind < 50 ? roll(500) : kind < 85 ? roll(3000) : roll(15000));
    for (bool& abandon : plan.abandon) abandon = roll(99) < abandon_pct;
    return plan;
}

struct KillStats {
    int runs = 0;
    int kills = 0;
    int early_kills = 0;              // before READY
    int in_flight_kills = 0;          // an operation had begun and was not answered
    int several_in_flight_kills = 0;  // of those, operations of several writers
    int abandoned = 0;                // operations left in flight and not sent again
};

// What the drivers' STATS lines say group commit did (storage::Database::WriteStats), summed over
// the runs; of each run, its last report (counters only grow within a run, and a killed run's last
// report came a few answers before its kill).
struct BatchFigures {
    unsigned long long batches = 0;
    unsigned long long batched_writes = 0;
    unsigned long long batches_failed = 0;
    unsigned long long writes_alone = 0;
    int runs_reporting = 0;

    // Takes a STATS line of the run under way into `run`; false for any other line.
    static bool take(const std::string& line, BatchFigures& run) {
        const std::vector<std::string> words = split_words(line);
        if (words.size() != 5 || words[0] != "STATS") return false;
        run.batches = std::max(run.batches, std::stoull(words[1]));
        run.batched_writes = std::max(run.batched_writes, std::stoull(words[2]));
        run.batches_failed = std::max(run.batches_failed, std::stoull(words[3]));
        run.writes_alone = std::max(run.writes_alone, std::stoull(words[4]));
        run.runs_reporting = 1;
        return true;
    }
    void add(const BatchFigures& run) {
        batches += run.batches;
        batched_writes += run.batched_writes;
        batches_failed += run.batches_failed;
        writes_alone += run.writes_alone;
        runs_reporting += run.runs_reporting;
    }
};

class CrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / new_id("crash-test");
        std::filesystem::create_directories(dir_);
        journal_file_.open(dir_ / "journal.txt");
    }

    void TearDown() override {
        child_.reset();  // kills and reaps a driver a failed assertion left running
        if (HasFailure() || std::getenv("BILLING_CRASH_KEEP_DB") != nullptr) {
            std::cout << "[ crash    ] database and the drivers' output kept for inspection in " << dir_ << "\n";
            return;
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void start_driver(int run, std::uint64_t seed, bool drain) {
        std::vector<std::string> args = {BILLING_CRASH_DRIVER,
                                         "--db",
                                         (dir_ / "billing.sqlite").string(),
                                         "--run",
                                         std::to_string(run),
                                         "--seed",
                                         std::to_string(seed),
                                         "--epoch-ns",
                                         std::to_string(epoch_ns_),
                                         "--scale",
                                         std::to_string(time_scale),
                                         "--writers",
                                         std::to_string(writers)};
        // The operations the last driver was killed in, each sent again under its key.
        for (const Op* retry : journal_.in_flight()) {
            args.push_back("--retry");
            args.push_back(join_words(retry->begin));
        }
        if (drain) args.push_back("--drain");
        child_ = std::make_unique<ChildProcess>(args);
    }

    // Feeds one line to the journal (or a STATS line to the run's batch figures); returns it
    // for the caller to look at.
    const std::string& take(const std::string& line) {
        journal_file_ << line << '\n';
        if (BatchFigures::take(line, run_batches_)) return line;
        std::string problem;
        if (!journal_.take(line, problem)) ADD_FAILURE() << "protocol: " << problem;
        return line;
    }

    // The run is over: its last batch figures count.
    void end_run() {
        batches_.add(run_batches_);
        run_batches_ = {};
    }

    static bool is_answer(const std::string& line) {
        return line.rfind("ACK ", 0) == 0 || line.rfind("NACK ", 0) == 0 || line.rfind("DUP ", 0) == 0;
    }

    void run_and_kill(const KillPlan& plan, KillStats& stats);
    UtcMs drain();

    std::filesystem::path dir_;
    std::int64_t epoch_ns_ = monotonic_ns();
    Journal journal_;
    std::ofstream journal_file_;  // every line the drivers wrote, for a failure's post-mortem
    std::unique_ptr<ChildProcess> child_;
    BatchFigures run_batches_;  // of the driver running now
    BatchFigures batches_;      // of the drivers that have ended
};

void CrashTest::run_and_kill(const KillPlan& plan, KillStats& stats) {
    const auto spawned = Steady::now();
    bool ready = false;
    int answers = 0;
    const auto note = [&](const std::string& line) {
        ready = ready || line == "READY";
        answers += is_answer(line) ? 1 : 0;
    };
    if (plan.early) {
        while (auto line = child_->read_line(spawned + plan.early_after)) note(take(*line));
    } else {
        while (!(ready && answers >= plan.answers)) {
            auto line = child_->read_line(spawned + run_stall_max);
            if (!line) break;
            note(take(*line));
        }
        ASSERT_TRUE(child_->eof() || (ready && answers >= plan.answers))
            << "driver stalled: " << answers << " answers in " << run_stall_max.count() << " s";
        if (!child_->eof()) std::this_thread::sleep_for(plan.delay);
    }
    child_->kill_now();
    // What the driver wrote before it died is still in the pipe; every ACK in it counts.
    while (auto line = child_->read_line(Steady::now() + 5s)) take(*line);
    ASSERT_TRUE(child_->eof()) << "no end of file 5 s after SIGKILL";
    const int status = child_->wait(Steady::now() + 5s);
    child_.reset();
    end_run();
    ++stats.runs;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        ++stats.kills;
        stats.early_kills += ready ? 0 : 1;
        const std::vector<const Op*> flying = journal_.in_flight();
        stats.in_flight_kills += flying.empty() ? 0 : 1;
        stats.several_in_flight_kills += flying.size() > 1 ? 1 : 0;
        for (const Op* op : flying) {
            const int writer = writer_of(op->begin.at(1));
            if (!plan.abandon.at(static_cast<std::size_t>(writer))) continue;
            ++stats.abandoned;
            journal_.abandon(std::string(op->begin.at(1)));
        }
        return;
    }
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "driver ended by itself: " << describe_status(status);
}

UtcMs CrashTest::drain() {
    UtcMs drained_ms = 0;
    const auto deadline = Steady::now() + drain_max;
    while (auto line = child_->read_line(deadline)) {
        const std::vector<std::string> words = split_words(take(*line));
        if (words.size() == 4 && words[0] == "DRAINED") {
            drained_ms = std::stoll(words[1]);
            EXPECT_EQ("0", words[2]) << "timers still due after the drain";
            EXPECT_EQ("0", words[3]) << "sweeps failed during the drain (see stderr)";
        }
    }
    EXPECT_TRUE(child_->eof()) << "the drain run did not finish in " << drain_max.count() << " s";
    const int status = child_->wait(Steady::now() + 5s);
    child_.reset();
    end_run();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "drain run: " << describe_status(status);
    EXPECT_NE(0, drained_ms) << "the drain run printed no DRAINED line";
    EXPECT_TRUE(journal_.in_flight().empty()) << "the drain run left operations unanswered";
    return drained_ms;
}

// Prints what the run did and checks that each kind of work was done often enough to count.
void expect_every_kind_exercised(const Tally& t, const VerifyStats& v) {
    std::cout << "[ crash    ] answered: " << t.deposits << " deposits, " << t.activations << " activations, "
              << t.rentals << " rentals, activations cancelled " << t.cancels_after_mark
              << " times after the 2-minute mark and " << t.cancels_too_early << " times before it (denied), "
              << t.rental_cancels << " rentals cancelled, " << t.messages_allowed << " codes delivered, "
              << t.extensions_allowed << " extensions, " << t.advances << " test clock advances (" << t.advance_timers
              << " timers run, " << t.advance_reruns << " waited for a killed driver's lease), " << t.refused
              << " refused; the live sweeper refunded " << v.live_auto_refunds_before_drain
              << " expired activations between kills\n";
    EXPECT_GE(t.deposits, kind_floor) << "deposits";
    EXPECT_GE(t.activations, kind_floor) << "activations";
    EXPECT_GE(t.rentals, kind_floor) << "rentals";
    EXPECT_GE(t.cancels_too_early, kind_floor) << "cancels before the 2-minute mark";
    EXPECT_GE(t.cancels_after_mark, kind_floor) << "cancels after the 2-minute mark";
    EXPECT_GE(t.messages_allowed, kind_floor) << "codes delivered";
    EXPECT_GE(t.extensions_allowed, kind_floor) << "rental extensions";
    EXPECT_GE(t.advances, kind_floor) << "test clock advances";
    EXPECT_GE(t.advance_timers, kind_floor) << "timers run by test clock advances";
    EXPECT_GE(v.live_auto_refunds_before_drain, kind_floor) << "auto-refunds by the live sweeper between kills";
}

// Prints what group commit did and checks that the kills met batches of several writes: a mean
// batch of more than one write, and kills that caught several writers' operations unanswered.
void expect_batches_of_several_writes(const BatchFigures& b, const KillStats& stats) {
    const double mean = b.batches == 0 ? 0.0 : static_cast<double>(b.batched_writes) / static_cast<double>(b.batches);
    std::cout << "[ crash    ] group commit, by the STATS of " << b.runs_reporting << " of " << stats.runs + 1
              << " runs: " << b.batches << " batches committed " << b.batched_writes << " writes (mean " << mean
              << " writes a batch), " << b.batches_failed << " batches failed, " << b.writes_alone << " writes alone\n";
    EXPECT_GE(b.runs_reporting, kind_floor) << "too few runs reported their batches";
    EXPECT_GT(b.batched_writes, b.batches) << "no batch held more than one write: group commit was not exercised";
    EXPECT_GE(stats.several_in_flight_kills, kind_floor) << "kills that caught several writers' operations unanswered";
}

TEST_F(CrashTest, KilledDriverLosesNothingAcknowledgedAndRunsEveryTimerOnce) {
    const std::uint64_t seed = seed_from_env();
    std::cout << "[ crash    ] seed " << seed << " (replay: BILLING_CRASH_SEED=" << seed << ")\n";
    RecordProperty("seed", std::to_string(seed));
    std::mt19937_64 rng(seed);
    const auto started = Steady::now();

    KillStats stats;
    while (stats.kills < kills_min && Steady::now() - started < kill_phase_max) {
        const KillPlan plan = plan_kill(rng);
        start_driver(stats.runs + 1, rng(), false);
        run_and_kill(plan, stats);
        if (HasFatalFailure()) return;
    }
    const auto killing_s = std::chrono::duration<double>(Steady::now() - started).count();
    ASSERT_GE(stats.kills, kills_min) << "only " << stats.kills << " kills in " << kill_phase_max.count() << " s";
    start_driver(stats.runs + 1, rng(), true);
    const UtcMs drained_ms = drain();
    if (HasFailure()) return;

    settle_abandoned(dir_ / "billing.sqlite", journal_);
    const Model model = build_model(journal_);
    const VerifyStats verified = verify_database(dir_ / "billing.sqlite", journal_, model, drained_ms);
    int retried_applied = 0;
    int retried_replayed = 0;
    int abandoned_landed = 0;
    std::map<std::string, int> killed_in;  // the kinds of operation a kill caught in flight
    for (const auto& [key, op] : journal_.ops()) {
        abandoned_landed += op.abandoned && op.answer == "DUP" ? 1 : 0;
        if (op.abandoned || op.begun > 1) ++killed_in[op.begin[0]];
        if (op.begun < 2) continue;
        retried_applied += op.answer == "ACK" ? 1 : 0;
        retried_replayed += op.answer == "DUP" ? 1 : 0;
    }
    std::map<std::string, int> apply_codes;  // how the cancels, codes and extensions were decided
    for (const auto& [key, op] : journal_.ops()) {
        if (op.answer != "NACK" && op.result.size() == 7) ++apply_codes[op.begin[0] + ":" + op.result[2]];
    }
    std::string codes;
    for (const auto& [code, n] : apply_codes) codes += " " + code + "=" + std::to_string(n);
    std::string in_flight;
    for (const auto& [op_kind, n] : killed_in) in_flight += " " + op_kind + "=" + std::to_string(n);
    const auto seconds = std::chrono::duration<double>(Steady::now() - started).count();
    std::cout << "[ crash    ] " << stats.kills << " kills in " << stats.runs << " runs and " << killing_s << " s ("
              << stats.early_kills << " during start-up, " << stats.in_flight_kills << " with operations in flight, "
              << stats.several_in_flight_kills << " of them of several writers; " << stats.abandoned
              << " operations abandoned, " << abandoned_landed << " of which had landed); " << journal_.count("ACK")
              << " acknowledged, " << journal_.count("NACK") << " refused; retried after a kill: " << retried_applied
              << " applied then, " << retried_replayed << " already committed; " << verified.orders << " orders, "
              << verified.transfers << " transfers; timers run while killing: " << verified.timer_events_before_drain
              << " (lab: " << verified.lab_timer_events_before_drain
              << "), in the drain: " << verified.timer_events_in_drain << "; " << seconds
              << " s\n[ crash    ] decisions:" << codes << "\n[ crash    ] killed in flight:" << in_flight << "\n";
    expect_every_kind_exercised(model.tally, verified);
    expect_batches_of_several_writes(batches_, stats);
    EXPECT_GT(verified.timer_events_before_drain, 0) << "no timer fell due while the drivers were being killed";
    EXPECT_GT(journal_.count("ACK"), 100) << "too little work was acknowledged to mean anything";
}

}  // namespace
}  // namespace billing::crash
