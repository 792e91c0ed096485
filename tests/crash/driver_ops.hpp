// The crash driver's workload: the tenant and accounts it works on (created idempotently, so a
// kill during set-up is harmless), and the operations it sends to the engine, each under a fresh
// idempotency key, each announced with BEGIN and answered with ACK/NACK/DUP (crash_protocol.hpp).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "billing/engine/engine.hpp"
#include "scaled_clock.hpp"

namespace billing::crash {

// Writes line + '\n' to stdout in one write(2) and exits the process if stdout is gone.
void emit(const std::string& line);

struct World {
    std::string tenant_id;
    std::vector<std::string> accounts;
};

// Finds or creates the tenant "crash-shop", its customer accounts and their first deposits.
Result<World> set_up_world(Engine& engine);

class Workload {
public:
    Workload(Engine& engine, World world, ScaledClock& clock, std::uint64_t seed, int run);

    // The words after "BEGIN" of operation n of this run (n < 1000: deposit amounts encode it).
    std::vector<std::string> next(int n);

    // Announces, sends and answers one operation given as BEGIN words (kind key args...).
    void run(const std::vector<std::string>& words);

private:
    std::vector<std::string> pick_orders(bool open_only);
    std::string order_service(const std::string& order_id);
    bool key_exists(const std::string& key);
    void apply(const std::string& kind, const std::string& key, const std::string& order_id,
               const std::string& service, const IdempotencyKey<ApplyResult>& idem);

    template <class T>
    T pick(const std::vector<T>& from) {
        return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng_)];
    }

    Engine& engine_;
    World world_;
    ScaledClock& clock_;
    std::mt19937_64 rng_;
    int run_;
};

}  // namespace billing::crash
