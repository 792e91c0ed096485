// The crash driver's workload: the two tenants and the accounts it works on (created
// idempotently, so a kill during set-up is harmless), and the operations its writers send to the
// engine, each under a fresh idempotency key, each announced with BEGIN and answered with
// ACK/NACK/DUP (crash_protocol.hpp). One Workload per writer thread, on that writer's accounts.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "scaled_clock.hpp"

namespace billing::crash {

// Writes line + '\n' to stdout in one write(2) and exits the process if stdout is gone.
void emit(const std::string& line);

// Writes the STATS line: what group commit has done since the database was opened.
void emit_stats(storage::Database& db);

struct TenantWorld {
    std::string tag;  // tenant_tag::live or tenant_tag::lab
    std::string id;
    std::vector<std::string> accounts;
};

// One writer's world: both tenants, with that writer's accounts only.
struct World {
    TenantWorld live;
    TenantWorld lab;
};

// Finds or creates both tenants, every writer's customer accounts and their first deposits;
// returns each writer's world, by writer (writers_max of them).
Result<std::vector<World>> set_up_worlds(Engine& engine);

// What the writers of one driver share.
struct WriterShared {
    // Held for the whole of a lab operation, from reading the lab clock to the answer: a lab
    // purchase or decision at a lab time that an advance of another writer then overtook would
    // set timers already due that the advance did not run (see check_advance in crash_verify).
    std::mutex lab;
    std::atomic<int> answers{0};
};

// How many timers of the tenant are due at up_to_ms (exits the driver if it cannot read them).
long long timers_due_for(storage::Database& db, const std::string& tenant_id, UtcMs up_to_ms);

class Workload {
public:
    // Writer `writer` of run `run`: its operations are drawn from its own seeded stream.
    Workload(Engine& engine, const plugin::PolicyInstance& policy, Sweeper& sweeper, World world, ScaledClock& clock,
             WriterShared& shared, std::uint64_t seed, int run, int writer);

    // The words after "BEGIN" of this writer's operation n of this run (n < 1000: deposit
    // amounts encode it).
    std::vector<std::string> next(int n);

    // Announces, sends and answers one operation given as BEGIN words (kind key tenant args...);
    // every few answers of the driver's writers, a STATS line.
    void run(const std::vector<std::string>& words);

    // The lab tenant's clock moved by jump_ms and every timer due then run; false if some are left.
    bool drain_lab(std::int64_t jump_ms);

private:
    const TenantWorld& tenant(const std::string& tag) const;
    UtcMs lab_clock_ms();
    std::vector<std::string> pick_orders(const TenantWorld& tenant, bool open_only, const std::string& product);
    std::string order_service(const TenantWorld& tenant, const std::string& order_id);
    void deposit(const std::vector<std::string>& words, const TenantWorld& tenant);
    void purchase(const std::vector<std::string>& words, const TenantWorld& tenant);
    void apply(const std::vector<std::string>& words, const TenantWorld& tenant);
    void advance(const std::vector<std::string>& words);
    void send(const std::vector<std::string>& words, const TenantWorld& tenant);
    // Runs the lab tenant's timers due at up_to_ms until none is left; returns how many it
    // applied and how many extra rounds it took, or the error that stopped it.
    Result<std::pair<std::size_t, int>> run_lab_timers(UtcMs up_to_ms);

    template <class T>
    T pick(const std::vector<T>& from) {
        return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng_)];
    }
    int roll(int max) { return std::uniform_int_distribution<int>(0, max)(rng_); }

    Engine& engine_;
    const plugin::PolicyInstance& policy_;
    Sweeper& sweeper_;
    World world_;
    ScaledClock& clock_;
    WriterShared& shared_;
    std::mt19937_64 rng_;
    int run_;
    int writer_;
};

}  // namespace billing::crash
