// The running host: database, policies, engine, sweeper, maintenance and the HTTP server, built
// from one validated HostConfig and torn down in the reverse order (DESIGN §2).
//
// start(): open the database and migrate it, load every policy, make sure an operator key exists
// (from operator.key_file, or generated and printed once), create the demo tenant on a first
// start, start the sweeper and the maintenance thread, then listen. Any failure is an Error and
// nothing is left running.
//
// shutdown() (SIGTERM): /readyz turns 503, no new connection is accepted, requests already
// received finish and are answered (up to server.shutdown_grace_s), then idle connections are
// closed and the background threads stop. Nothing a client saw acknowledged is lost: every
// answer is sent after its transaction committed.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "billing/config/host_config.hpp"
#include "billing/core/result.hpp"

namespace billing::server {

class Host {
public:
    // out receives what an operator must see once (generated keys, the listening address).
    static Result<std::unique_ptr<Host>> start(const config::HostConfig& config, std::ostream& out);
    ~Host();  // shutdown() if not done
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    [[nodiscard]] std::uint16_t port() const;
    void shutdown();

    // SIGHUP: the configuration file read again. Each [[plugins.policy]] is reloaded from its
    // (possibly new) file and config, a new one is added; each swap is all or nothing as in
    // PolicyRegistry::reload, and a refused one leaves its policy serving as before. A policy
    // no longer in the file stays loaded (tenants may be bound to it); other sections take
    // effect at the next start. Returns one line per policy for the log.
    std::vector<std::string> reload_config(const config::HostConfig& fresh);

    struct Parts;

private:
    explicit Host(std::unique_ptr<Parts> parts);
    std::unique_ptr<Parts> parts_;
};

}  // namespace billing::server
