// The crash driver's workload: the two tenants and the accounts it works on (created
// idempotently, so a kill during set-up is harmless), and the operations it sends to the engine,
// each under a fresh idempotency key, each announced with BEGIN and answered with ACK/NACK/DUP
// (crash_protocol.hpp).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "scaled_clock.hpp"

namespace billing::crash {

// Writes line + '\n' to stdout in one write(2) and exits the process if stdout is gone.
void emit(const std::string& line);

struct TenantWorld {
    std::string tag;  // tenant_tag::live or tenant_tag::lab
    std::string id;
    std::vector<std::string> accounts;
};

struct World {
    TenantWorld live;
    TenantWorld lab;
};

// Finds or creates both tenants, their customer accounts and their first deposits.
Result<World> set_up_world(Engine& engine);

// How many timers of the tenant are due at up_to_ms (exits the driver if it cannot read them).
long long timers_due_for(storage::Database& db, const std::string& tenant_id, UtcMs up_to_ms);

class Workload {
public:
    Workload(Engine& engine, const plugin::PolicyInstance& policy, Sweeper& sweeper, World world, ScaledClock& clock,
             std::uint64_t seed, int run);

    // The words after "BEGIN" of operation n of this run (n < 1000: deposit amounts encode it).
    std::vector<std::string> next(int n);

    // Announces, sends and answers one operation given as BEGIN words (kind key tenant args...).
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
    std::mt19937_64 rng_;
    int run_;
};

}  // namespace billing::crash
