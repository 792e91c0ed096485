// The billing host of billing_http_bench, in-process: billing::server::Host started on an
// ephemeral port over the database it is given (a SQLite file in the bench's temp dir, WAL,
// synchronous as asked; or a server database, see bench_database.hpp), with
// the real OTPDesk plugin loaded with the shipped config but activation.cancel_from_s = 0, then
// set up through its own API with the operator key: one LIVE tenant on that policy, a service
// key, and funded customers.
//
// Why a live tenant and not the demo tenant with its test clock: a test-mode tenant reads its
// clock from the database on every request (TenantDirectory::now_ms), and advancing the clock
// past cancel_from also runs its due timers; neither is what production traffic costs. With
// cancel_from_s = 0 an order can be cancelled at once, on the same code path as after two
// minutes (the policy compares elapsed time with the order's pinned terms). The changed config
// is the host's (plugins.policy.config), not the tenant's: POST /admin/tenants refuses a
// policy_config with a newline (no control characters in any JSON string), and an OTPDesk
// config needs two TOML tables, so it cannot be sent that way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "billing/config/host_config.hpp"
#include "billing/engine/records.hpp"
#include "billing/server/host.hpp"
#include "http_client.hpp"

namespace billing::bench {

class BenchHost {
public:
    // name names the policy config and the key file in dir; customer_count customers are
    // created, each funded with deposit_minor.
    BenchHost(const std::filesystem::path& dir, const std::string& name, const config::DatabaseConfig& database,
              std::size_t customer_count, MinorUnits deposit_minor);
    ~BenchHost();
    BenchHost(const BenchHost&) = delete;
    BenchHost& operator=(const BenchHost&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    // The database options of the host, for a second Database over the same data.
    [[nodiscard]] const config::DatabaseConfig& database() const { return config_.database; }

    // Stops the host (SIGTERM's orderly path); the database file stays for the audit.
    void stop();

    // POST /admin/plugins/otpdesk/reload with the operator key and body ({} reloads the same
    // file; {"file":"/abs/path.so"} swaps in another), on a connection of its own: callable from
    // any thread while the host serves (billing_swap_bench).
    HttpReply reload_policy(const std::string& body);

    std::string tenant_id, service_key;
    std::vector<std::string> customers;

private:
    HttpReply operator_post(const std::string& path, const std::string& body);
    void create_tenant();
    std::string create_customer(HttpClient& service, const std::string& external_ref, MinorUnits deposit_minor);

    config::HostConfig config_;
    std::unique_ptr<server::Host> host_;
    std::uint16_t port_ = 0;
    std::string operator_key_;
};

// The HTTP reply's body, or the benchmark fails naming what and the status.
std::string must_succeed(const HttpReply& reply, const std::string& what);

}  // namespace billing::bench
