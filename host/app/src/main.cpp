// billing-host: the host executable.
//
// `serve` (the default) runs the server until SIGTERM or SIGINT (billing/server/host.hpp); the
// other commands check a configuration, migrate the database or audit it, and exit.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "billing/audit/audit.hpp"
#include "billing/config/database_url.hpp"
#include "billing/config/load.hpp"
#include "billing/server/host.hpp"
#include "billing/server/policy_loading.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/migrations.hpp"

namespace {

// Exit codes, from sysexits.h: a usage error, and a configuration that cannot be used.
constexpr int exit_usage = 64;
constexpr int exit_config = 78;

void print_usage(std::ostream& out) {
    out << "usage: billing-host [--config FILE] [serve | check | migrate | audit]\n"
           "  --config FILE  the host configuration (default: config/billing.toml)\n"
           "  serve          run the server until SIGTERM or SIGINT (the default)\n"
           "  check          validate the configuration and load every policy plugin as serve does\n"
           "  migrate        bring the database schema up to this build's version\n"
           "  audit          check every ledger invariant; print each violation; exit 1 if any\n";
}

billing::sdk::UtcMs now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<billing::storage::Database> open_database(const billing::config::HostConfig& config) {
    auto db = billing::storage::Database::open(billing::storage::DatabaseOptions::from(config.database));
    if (!db) {
        std::cerr << "database " << billing::config::redacted_database_url(config.database.url) << ": "
                  << db.error().message << "\n";
        return nullptr;
    }
    return std::move(db).value();
}

// Loads the policies exactly as serving does (load_serving_policies: load, configure, smoke
// check, every tenant's own config) and prints one line per policy; a refusal is printed as
// serve prints it. The tenants' bindings are read from the configured database without
// migrating it; a SQLite file that does not exist yet binds no tenant and is not created.
int check_policies(const billing::config::HostConfig& config) {
    std::unique_ptr<billing::storage::Database> db;
    if (config.database.backend == billing::config::DatabaseBackend::sqlite3 &&
        !std::filesystem::exists(config.database.target)) {
        std::cout << "database " << billing::config::redacted_database_url(config.database.url)
                  << ": does not exist yet: no tenant is bound\n";
    } else if (db = open_database(config); !db) {
        return EXIT_FAILURE;
    }
    auto registry = billing::server::load_serving_policies(config.plugins, db.get(), now_ms());
    if (!registry) {
        std::cerr << "billing-host: " << registry.error().message << "\n";
        return exit_config;
    }
    for (const billing::server::PolicyStatus& policy : registry.value()->status()) {
        const auto& id = policy.serving.identity;
        std::cout << "policy " << id.name << " " << id.version << " (ABI " << id.abi_major << "." << id.abi_minor
                  << ", sha256 " << id.sha256 << ") from " << id.file.string() << ": loaded and configured; "
                  << "smoke check passed; " << policy.tenant_configs << " tenant configs accepted\n";
    }
    return EXIT_SUCCESS;
}

// Opens the configured database and applies every pending schema migration.
bool migrate_database(const billing::config::HostConfig& config) {
    auto db = open_database(config);
    if (!db) {
        return false;
    }
    auto version = billing::storage::migrate(*db, now_ms());
    if (!version) {
        std::cerr << "database " << billing::config::redacted_database_url(config.database.url) << ": "
                  << version.error().message << "\n";
        return false;
    }
    std::cout << "database " << billing::config::redacted_database_url(config.database.url) << ": schema version "
              << version.value() << "\n";
    return true;
}

// Runs the ledger audit over the whole database and prints its report.
int audit_database(const billing::config::HostConfig& config) {
    auto db = open_database(config);
    if (!db) {
        return EXIT_FAILURE;
    }
    auto report = billing::audit::run_audit(*db);
    if (!report) {
        std::cerr << "audit failed: " << report.error().message << "\n";
        return EXIT_FAILURE;
    }
    std::cout << billing::audit::format_report(report.value());
    return report.value().ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}

// Runs the host until SIGTERM or SIGINT, then shuts it down gracefully (host.hpp). SIGHUP
// reads config_file again and reloads the policy plugins (Host::reload_config); a file that no
// longer parses changes nothing and is reported with file:line:col.
int serve(const billing::config::HostConfig& config, const std::string& config_file) {
    // Blocked before any thread starts, so every thread inherits the mask and only sigwait
    // below receives them: no signal handler runs in the middle of a request.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto host = billing::server::Host::start(config, std::cout);
    if (!host) {
        std::cerr << "billing-host: " << host.error().message << "\n";
        return EXIT_FAILURE;
    }
    // Tests and scripts wait for this line (and read the port from it when port = 0).
    std::cout << "billing-host: listening on http://" << config.server.host << ":" << host.value()->port() << "\n"
              << std::flush;
    int received = 0;
    while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
        std::cout << "billing-host: SIGHUP: reloading " << config_file << "\n" << std::flush;
        auto fresh = billing::config::load_host_config(config_file);
        if (!fresh) {
            std::cout << "billing-host: " << fresh.error().message << "\nbilling-host: nothing reloaded\n"
                      << std::flush;
            continue;
        }
        for (const std::string& line : host.value()->reload_config(fresh.value())) {
            std::cout << "billing-host: " << line << "\n";
        }
        std::cout << std::flush;
    }
    std::cout << "billing-host: " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
              << ": finishing the requests in progress\n"
              << std::flush;
    host.value()->shutdown();
    std::cout << "billing-host: stopped\n" << std::flush;
    return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_file = "config/billing.toml";
    std::string command = "serve";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config") {
            if (i + 1 >= argc) {
                std::cerr << "billing-host: --config needs a file\n";
                return exit_usage;
            }
            config_file = argv[++i];
        } else if (arg == "serve" || arg == "check" || arg == "migrate" || arg == "audit") {
            command = arg;
        } else if (arg == "--help" || arg == "-h") {
            print_usage(std::cout);
            return EXIT_SUCCESS;
        } else {
            std::cerr << "billing-host: unknown argument '" << arg << "'\n";
            print_usage(std::cerr);
            return exit_usage;
        }
    }

    auto config = billing::config::load_host_config(config_file);
    if (!config) {
        std::cerr << config.error().message << "\n";
        return exit_config;
    }
    std::cout << "config " << config_file << ": valid\n";
    if (command == "migrate") {
        return migrate_database(config.value()) ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    if (command == "audit") {
        return audit_database(config.value());
    }
    if (command == "serve") {
        return serve(config.value(), config_file);
    }
    return check_policies(config.value());
}
