// What every figure of billing_engine_bench needs: a fresh database (a SQLite file in a temp dir,
// WAL, synchronous=FULL, like production; or a database of its own on a server, see
// bench_database.hpp), the real OTPDesk plugin, an Engine with a fixed ManualClock, one tenant
// with one funded customer, and a stopwatch.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_database.hpp"
#include "billing/core/clock.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "billing/storage/database.hpp"
#include "one_policy.hpp"

namespace billing::bench {

inline constexpr UtcMs t0_ms = 1'700'000'000'000;

// Aborts the benchmark with a message: a figure measured on a failed set-up means nothing.
[[noreturn]] void fail(const std::string& what);

template <class T>
T must(Result<T> result, const std::string& what) {
    if (!result) fail(what + ": " + result.error().code + ": " + result.error().message);
    return std::move(result).value();
}

// The OTPDesk policy from the built .so with the shipped config, loaded once per process.
std::shared_ptr<const plugin::PolicyInstance> otpdesk();

// A temp dir removed with everything in it on destruction.
// For the benches that run the host in-process: the host writes one request log line per request to std::cout; during
// the run they go to a file in the temp dir (a real host's log costs the same), and the figures to the real stdout.
class RequestLogToFile {
public:
    explicit RequestLogToFile(const std::filesystem::path& file) : log_(file), saved_(std::cout.rdbuf(log_.rdbuf())) {}
    ~RequestLogToFile() { std::cout.rdbuf(saved_); }
    RequestLogToFile(const RequestLogToFile&) = delete;
    RequestLogToFile& operator=(const RequestLogToFile&) = delete;
    [[nodiscard]] std::streambuf* stdout_buffer() const { return saved_; }

private:
    std::ofstream log_;
    std::streambuf* saved_;
};

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct BenchDbOptions {
    config::SqliteSynchronous synchronous = config::SqliteSynchronous::full;
    std::uint32_t pool_size = 4;
};

// One database with the schema, an engine over it and a tenant whose customer holds
// deposit_minor. database must outlive it.
class BenchDb {
public:
    BenchDb(const BenchDatabase& database, MinorUnits deposit_minor, BenchDbOptions options = {});
    ~BenchDb();
    BenchDb(const BenchDb&) = delete;
    BenchDb& operator=(const BenchDb&) = delete;

    [[nodiscard]] storage::Database& db() { return *db_; }
    [[nodiscard]] Engine& engine() { return *engine_; }
    [[nodiscard]] Sweeper& sweeper() { return *sweeper_; }

    // A second customer funded with deposit_minor (for a second purchasing thread).
    std::string add_customer(const std::string& external_ref, MinorUnits deposit_minor);

    // Runs the ledger audit over the whole file; fails the benchmark on any violation.
    void audit_or_fail(const std::string& when);

    std::string tenant_id, customer_id, funding_id, escrow_id, revenue_id;

private:
    std::unique_ptr<storage::Database> db_;
    ManualClock clock_{t0_ms};
    std::unique_ptr<Engine> engine_;
    std::unique_ptr<test::OnePolicy> policies_;
    std::unique_ptr<Sweeper> sweeper_;
};

// The one-row commit cap of this disk: transactions/s of BEGIN IMMEDIATE + one small UPDATE +
// COMMIT with synchronous=FULL. No per-transaction workload can beat it. SQLite only: a server
// commits concurrent transactions together, so one session's rate caps nothing.
double commit_cap_per_s(BenchDb& bench, std::size_t transactions);

class Stopwatch {
public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    [[nodiscard]] double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    [[nodiscard]] std::int64_t micros() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

// The q-quantile (0..1) of samples, which it sorts.
std::int64_t quantile(std::vector<std::int64_t>& samples, double q);

// "12345.6" with one decimal; "0.123" for ratios.
std::string fixed(double value, int decimals);

}  // namespace billing::bench
