#include "billing/server/host.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "billing/config/database_url.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "billing/engine/sweeper_runner.hpp"
#include "billing/http/host_metrics.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/metrics.hpp"
#include "billing/http/request_log.hpp"
#include "billing/http/rfc3339.hpp"
#include "billing/server/api.hpp"
#include "billing/server/key_store.hpp"
#include "billing/server/policy_loading.hpp"
#include "billing/server/policy_registry.hpp"
#include "billing/server/tenant_directory.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/migrations.hpp"
#include "http_server.hpp"

namespace billing::server {

namespace {

// Idempotency records older than the retention are deleted this often.
constexpr std::chrono::seconds maintenance_interval{60};

// Writes text to a new file only its owner can read (keys).
Result<Unit> write_secret_file(const std::filesystem::path& file, const std::string& text) {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    const mode_t old_mask = ::umask(077);
    std::ofstream out(file, std::ios::trunc);
    out << text;
    out.close();
    ::umask(old_mask);
    if (!out) return Error{"key_file_unwritable", file.string() + ": cannot be written"};
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, ec);
    return Unit{};
}

// The operator key: adopted from operator.key_file (written there first if the file is new),
// or, with no key file, generated and printed once when no operator key exists yet.
Result<Unit> ensure_operator_key(KeyStore& keys, const config::OperatorConfig& config, const Clock& clock,
                                 std::ostream& out) {
    const std::filesystem::path& file = config.key_file;
    if (!file.empty()) {
        if (!std::filesystem::exists(file)) {
            auto issued = keys.issue("", http::Role::host_operator, "operator key file", clock.now_ms());
            if (!issued) return issued.error();
            if (auto written = write_secret_file(file, issued.value().key + "\n"); !written) return written;
            out << "operator key written to " << file.string() << "\n";
            return Unit{};
        }
        std::ifstream in(file);
        std::string key;
        std::getline(in, key);
        auto adopted = keys.adopt_operator_key(key, clock.now_ms());
        if (!adopted) return Error{adopted.error().code, file.string() + ": " + adopted.error().message};
        return Unit{};
    }
    auto has = keys.has_operator_key();
    if (!has) return has.error();
    if (has.value()) return Unit{};
    auto issued = keys.issue("", http::Role::host_operator, "generated on first start", clock.now_ms());
    if (!issued) return issued.error();
    out << "operator key (shown once; set operator.key_file to manage it): " << issued.value().key << "\n";
    return Unit{};
}

// On a first start (no tenant yet), a test-mode demo tenant bound to the first policy, with one
// key of each role, printed once and written to demo.keys_file for the README's quickstart.
Result<Unit> create_demo_tenant(Engine& engine, KeyStore& keys, const config::HostConfig& config, const Clock& clock,
                                std::ostream& out) {
    if (!config.demo.create_tenant || config.plugins.policies.empty()) return Unit{};
    auto existing = engine.list_tenants("", 1);
    if (!existing) return existing.error();
    if (!existing.value().empty()) return Unit{};
    auto tenant = engine.create_tenant(
        NewTenant{"Demo storefront", "USD", config.plugins.policies.front().name, "", /*test_mode=*/true});
    if (!tenant) return tenant.error();
    std::string env = "# billing-host demo tenant (test mode); created " + http::format_rfc3339_utc(clock.now_ms()) +
                      "\nTENANT_ID=" + tenant.value().id + "\n";
    out << "demo tenant " << tenant.value().id << " (test mode, policy " << tenant.value().policy_name
        << "); its keys are shown once:\n";
    for (const http::Role role : {http::Role::service, http::Role::support, http::Role::admin}) {
        auto issued = keys.issue(tenant.value().id, role, "demo", clock.now_ms());
        if (!issued) return issued.error();
        std::string name(http::role_name(role));
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out << "  " << name << "_KEY=" << issued.value().key << "\n";
        env += name + "_KEY=" + issued.value().key + "\n";
    }
    if (!config.demo.keys_file.empty()) {
        if (auto written = write_secret_file(config.demo.keys_file, env); !written) return written;
        out << "  (also written to " << config.demo.keys_file.string() << ")\n";
    }
    return Unit{};
}

// Which policy serves a tenant, for the sweeper: the tenant's binding (the directory, cached)
// and the registry's instance for it. Requests never ask this: the API takes theirs from the
// tenant it authenticated.
class ServedPolicies final : public PolicyDirectory {
public:
    ServedPolicies(TenantDirectory& tenants, PolicyRegistry& policies) : tenants_(tenants), policies_(policies) {}

    [[nodiscard]] std::shared_ptr<const plugin::PolicyInstance> serving(const std::string& tenant_id) const override {
        auto tenant = tenants_.get(tenant_id);
        if (!tenant) return nullptr;
        return policies_.instance(tenant.value().policy_name, tenant.value().policy_config);
    }

private:
    TenantDirectory& tenants_;
    PolicyRegistry& policies_;
};

}  // namespace

struct Host::Parts {
    config::HostConfig config;
    SystemClock clock;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<PolicyRegistry> policies;
    std::unique_ptr<TenantDirectory> tenants;
    std::unique_ptr<KeyStore> keys;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<ServedPolicies> served_policies;  // the sweeper's
    std::unique_ptr<Sweeper> sweeper;
    std::unique_ptr<SweeperRunner> runner;
    http::MetricsRegistry metrics_registry;
    std::unique_ptr<http::HostMetrics> metrics;
    std::unique_ptr<Api> api;
    std::unique_ptr<HttpServer> http;
    std::mutex log_mutex;

    std::mutex maintenance_mutex;
    std::condition_variable maintenance_wake;
    bool maintenance_stopping = false;
    std::thread maintenance;
    std::thread plugin_watch;  // only with [plugins] watch = true

    // Metrics and a log line for every reload, whatever triggered it.
    void swapped(const std::string& name, const Result<SwapReport>& outcome) {
        http::JsonWriter w;
        w.begin_object();
        if (!outcome) {
            metrics->plugin_reloads.inc({name, outcome.error().code});
            w.key("level").string("warn").key("msg").string("plugin reload refused, the serving version stays");
            w.key("policy").string(name).key("code").string(outcome.error().code);
            w.key("detail").string(outcome.error().message);
        } else {
            const SwapReport& r = outcome.value();
            metrics->plugin_reloads.inc({name, "swapped"});
            metrics->plugin_info.set({name, r.previous.version}, 0);
            metrics->plugin_info.set({name, r.serving.version}, 1);
            w.key("level").string("info").key("msg").string("plugin swapped").key("policy").string(name);
            w.key("from").string(r.previous.version).key("to").string(r.serving.version);
            w.key("sha256").string(r.serving.sha256);
            w.key("tenant_configs").integer(static_cast<std::int64_t>(r.tenant_configs));
        }
        w.end_object();
        log_line(w.take());
    }

    // [plugins] watch: a policy is reloaded when its .so or its config file changed and then
    // stayed the same for one more interval (a file being copied in is not loaded half-written).
    // A refused file is not retried until it changes again.
    void run_plugin_watch() {
        struct Seen {
            std::string loaded;   // the signature the serving version was loaded from
            std::string pending;  // a new signature seen once, waiting to be seen again
        };
        std::map<std::string, Seen> seen;
        const auto signature = [](const std::filesystem::path& file) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(file, ec);
            const auto mtime = std::filesystem::last_write_time(file, ec);
            if (ec) return std::string("missing");
            return std::to_string(size) + "@" + std::to_string(mtime.time_since_epoch().count());
        };
        std::unique_lock lock(maintenance_mutex);
        while (!maintenance_stopping) {
            lock.unlock();
            for (const PolicyStatus& policy : policies->status()) {
                const std::string now = signature(policy.file) + "|" + signature(policy.config);
                Seen& s = seen[policy.name];
                if (s.loaded.empty()) s.loaded = now;
                if (now == s.loaded) {
                    s.pending.clear();
                } else if (now != s.pending) {
                    s.pending = now;
                } else {
                    (void)policies->reload(policy.name, std::nullopt, std::nullopt, clock.now_ms());
                    s.loaded = now;
                    s.pending.clear();
                }
            }
            lock.lock();
            maintenance_wake.wait_for(lock, std::chrono::milliseconds(config.plugins.watch_interval_ms),
                                      [this] { return maintenance_stopping; });
        }
    }

    void purge_idempotency_records() {
        // A failure (the database away for a moment) is retried at the next interval.
        (void)engine->purge_idempotency_records(static_cast<std::int64_t>(config.idempotency.retention_h) * 3'600'000);
    }

    void run_maintenance() {
        std::unique_lock lock(maintenance_mutex);
        while (!maintenance_stopping) {
            lock.unlock();
            purge_idempotency_records();
            lock.lock();
            maintenance_wake.wait_for(lock, maintenance_interval, [this] { return maintenance_stopping; });
        }
    }

    void count_change(const OrderChange& change) {
        const std::string& product = change.order.product;
        if (change.event_type == events::purchase_type) metrics->orders_created.inc({product});
        if (change.event_type == sdk::event_type::cancel) metrics->orders_cancelled.inc({product});
        if (change.refunded_minor > 0) {
            metrics->orders_refunded.inc({product});
            auto tenant = tenants->get(change.order.tenant_id);
            metrics->refunded_minor.inc({tenant ? tenant.value().currency : "unknown"},
                                        static_cast<std::uint64_t>(change.refunded_minor));
        }
    }

    // The request log, as [log] says: a 5xx is an error, a 4xx a warning, the rest information;
    // "json" lines for collectors (format_request_log), "text" for people.
    void log_request(const http::RequestLogEntry& e) {
        const config::LogLevel severity = e.status >= 500   ? config::LogLevel::error
                                          : e.status >= 400 ? config::LogLevel::warning
                                                            : config::LogLevel::information;
        if (static_cast<int>(severity) > static_cast<int>(config.log.level)) return;
        if (config.log.format == config::LogFormat::json) {
            log_line(http::format_request_log(e));
            return;
        }
        char duration[32];
        std::snprintf(duration, sizeof duration, "%.3fms", static_cast<double>(e.duration.count()) / 1000.0);
        std::string line = http::format_rfc3339_utc(e.at_ms) + " " + std::string(e.method) + " " +
                           std::string(e.route) + " " + std::to_string(e.status) + " " + duration;
        if (!e.tenant_id.empty()) line += " tenant=" + std::string(e.tenant_id);
        line += " request_id=" + std::string(e.request_id);
        if (!e.error_code.empty()) line += " error=" + std::string(e.error_code);
        if (e.status >= 500 && !e.cause.empty()) {
            line += " cause=";
            http::append_json_string(line, e.cause);  // quoted and escaped: the line stays one line
        }
        log_line(line);
    }

    void log_line(const std::string& line) {
        std::lock_guard lock(log_mutex);
        // Flushed per line: a collector reads the log as it happens, and a crash loses no line.
        std::cout << line << '\n' << std::flush;
    }
};

Result<std::unique_ptr<Host>> Host::start(const config::HostConfig& config, std::ostream& out) {
    auto p = std::make_unique<Parts>();
    p->config = config;
    auto db = storage::Database::open(storage::DatabaseOptions::from(config.database));
    if (!db)
        return Error{db.error().code, "database " + billing::config::redacted_database_url(config.database.url) + ": " +
                                          db.error().message};
    p->db = std::move(db).value();
    if (auto migrated = storage::migrate(*p->db, p->clock.now_ms()); !migrated) {
        return Error{migrated.error().code, "database " + billing::config::redacted_database_url(config.database.url) +
                                                ": " + migrated.error().message};
    }
    Parts* parts = p.get();
    auto policies = load_serving_policies(config.plugins, p->db.get(), p->clock.now_ms());
    if (!policies) return policies.error();
    p->policies = std::move(policies).value();
    p->tenants = std::make_unique<TenantDirectory>(*p->db, p->clock);
    p->keys = std::make_unique<KeyStore>(*p->db);
    p->engine = std::make_unique<Engine>(*p->db, p->clock);
    p->metrics = std::make_unique<http::HostMetrics>(p->metrics_registry);
    for (const auto& instance : p->policies->loaded()) {
        p->metrics->plugin_info.set({instance->identity().name, instance->identity().version}, 1);
    }
    p->engine->set_change_listener([parts](const OrderChange& change) { parts->count_change(change); });
    p->policies->set_swap_listener(
        [parts](const std::string& name, const Result<SwapReport>& outcome) { parts->swapped(name, outcome); });

    if (auto key = ensure_operator_key(*p->keys, config.operator_, p->clock, out); !key) return key.error();
    if (auto demo = create_demo_tenant(*p->engine, *p->keys, config, p->clock, out); !demo) return demo.error();

    p->served_policies = std::make_unique<ServedPolicies>(*p->tenants, *p->policies);
    p->sweeper = std::make_unique<Sweeper>(*p->engine, *p->served_policies);
    SweeperRunnerOptions sweeping;
    sweeping.interval_ms = config.timers.sweep_interval_ms;
    sweeping.lease_s = config.timers.lease_s;
    sweeping.batch_max = config.timers.batch_max;
    p->runner = std::make_unique<SweeperRunner>(*p->sweeper, p->clock, sweeping, [parts](const SweepStats& stats) {
        if (stats.failed > 0 || stats.parked > 0) {
            parts->log_line(R"({"level":"warn","msg":"timer runs failed","failed":)" + std::to_string(stats.failed) +
                            R"(,"parked":)" + std::to_string(stats.parked) + "}");
        }
    });

    ApiOptions api_options;
    api_options.body_bytes_max = config.server.body_bytes_max;
    api_options.timer_lease_s = config.timers.lease_s;
    api_options.log = [parts](const http::RequestLogEntry& entry) { parts->log_request(entry); };
    p->api = std::make_unique<Api>(ApiServices{*p->db, *p->engine, *p->sweeper, *p->keys, *p->policies, *p->tenants,
                                               p->metrics_registry, *p->metrics, p->clock},
                                   std::move(api_options));
    try {
        p->http = std::make_unique<HttpServer>(*p->api, config.server);
    } catch (const std::exception& e) {
        return Error{"listen_failed", config.server.host + ":" + std::to_string(config.server.port) + ": " + e.what()};
    }
    p->runner->start();
    p->maintenance = std::thread([parts] { parts->run_maintenance(); });
    if (config.plugins.watch) p->plugin_watch = std::thread([parts] { parts->run_plugin_watch(); });
    return std::unique_ptr<Host>(new Host(std::move(p)));
}

Host::Host(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Host::~Host() { shutdown(); }

std::uint16_t Host::port() const { return parts_->http->port(); }

void Host::shutdown() {
    Parts& p = *parts_;
    if (!p.http) return;
    p.api->set_draining();
    p.http->stop(std::chrono::seconds(p.config.server.shutdown_grace_s));
    p.http.reset();
    p.runner->stop();
    {
        std::lock_guard lock(p.maintenance_mutex);
        p.maintenance_stopping = true;
    }
    p.maintenance_wake.notify_all();
    if (p.maintenance.joinable()) p.maintenance.join();
    if (p.plugin_watch.joinable()) p.plugin_watch.join();
}

std::vector<std::string> Host::reload_config(const config::HostConfig& fresh) {
    Parts& p = *parts_;
    std::vector<std::string> lines;
    const UtcMs now_ms = p.clock.now_ms();
    for (const config::PolicyPluginConfig& policy : fresh.plugins.policies) {
        if (p.policies->has(policy.name)) {
            auto swapped = p.policies->reload(policy.name, policy.file, policy.config, now_ms);
            lines.push_back(swapped ? "policy " + policy.name + ": " + swapped.value().previous.version + " -> " +
                                          swapped.value().serving.version
                                    : "policy " + policy.name + ": refused, still serving: " + swapped.error().code +
                                          ": " + swapped.error().message);
            continue;
        }
        auto added = p.policies->add(policy, now_ms);
        if (added) p.metrics->plugin_info.set({policy.name, added.value().serving.version}, 1);
        lines.push_back(added ? "policy " + policy.name + ": added, " + added.value().serving.version
                              : "policy " + policy.name + ": not added: " + added.error().code + ": " +
                                    added.error().message);
    }
    for (const PolicyStatus& loaded : p.policies->status()) {
        const bool still = std::any_of(fresh.plugins.policies.begin(), fresh.plugins.policies.end(),
                                       [&](const config::PolicyPluginConfig& c) { return c.name == loaded.name; });
        if (!still) lines.push_back("policy " + loaded.name + ": no longer configured, stays loaded until restart");
    }
    if (!(fresh.server == p.config.server) || !(fresh.database == p.config.database) ||
        !(fresh.timers == p.config.timers) || !(fresh.log == p.config.log)) {
        lines.push_back("changes outside [plugins] take effect at the next start");
    }
    return lines;
}

}  // namespace billing::server
