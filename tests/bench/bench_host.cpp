#include "bench_host.hpp"

#include <fstream>
#include <sstream>

#include "bench_env.hpp"
#include "billing/http/json_writer.hpp"

namespace billing::bench {

namespace {

// The shipped policy config with an immediate cancel, written to file; see bench_host.hpp.
std::filesystem::path write_policy_config(const std::filesystem::path& file) {
    std::ifstream in(BILLING_OTPDESK_CONFIG);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "\ncancel_from_s = 120\n";
    const auto at = config.find(from);
    if (at == std::string::npos) {
        fail(std::string(BILLING_OTPDESK_CONFIG) + " no longer says cancel_from_s = 120: update billing_http_bench");
    }
    config.replace(at, from.size(), "\ncancel_from_s = 0\n");
    std::ofstream out(file, std::ios::trunc);
    out << config;
    out.close();
    if (!out) fail(file.string() + ": cannot be written");
    return file;
}

config::HostConfig host_config(const std::filesystem::path& dir, const std::string& name,
                               const config::DatabaseConfig& database) {
    config::HostConfig c;
    c.server.host = "127.0.0.1";
    c.server.port = 0;
    c.server.shutdown_grace_s = 5;
    c.database = database;
    c.plugins.policies.push_back(config::PolicyPluginConfig{"otpdesk", BILLING_OTPDESK_PLUGIN,
                                                            write_policy_config(dir / (name + "-otpdesk.toml"))});
    c.demo.create_tenant = false;  // the benchmark makes its own, live tenant
    c.demo.keys_file.clear();
    c.operator_.key_file = dir / (name + "-operator.key");
    return c;
}

}  // namespace

std::string must_succeed(const HttpReply& reply, const std::string& what) {
    if (!reply.ok()) fail(what + " answered " + std::to_string(reply.status) + ": " + reply.body);
    return reply.body;
}

BenchHost::BenchHost(const std::filesystem::path& dir, const std::string& name, const config::DatabaseConfig& database,
                     std::size_t customer_count, MinorUnits deposit_minor)
    : config_(host_config(dir, name, database)) {
    std::ostringstream notices;  // the generated key's notice; the key itself is read from its file
    host_ = must(server::Host::start(config_, notices), "starting the billing host " + name);
    port_ = host_->port();
    std::ifstream key_file(config_.operator_.key_file);
    std::getline(key_file, operator_key_);
    if (operator_key_.empty()) fail("no operator key in " + config_.operator_.key_file.string());
    create_tenant();
    HttpClient service(port_, service_key);
    for (std::size_t i = 0; i < customer_count; ++i) {
        this->customers.push_back(create_customer(service, "bench-customer-" + std::to_string(i), deposit_minor));
    }
}

BenchHost::~BenchHost() { stop(); }

void BenchHost::stop() {
    if (host_) host_->shutdown();
    host_.reset();
}

HttpReply BenchHost::operator_post(const std::string& path, const std::string& body) {
    HttpClient op(port_, operator_key_);
    return op.post(path, body);
}

HttpReply BenchHost::reload_policy(const std::string& body) {
    return operator_post("/admin/plugins/otpdesk/reload", body);
}

void BenchHost::create_tenant() {
    http::JsonWriter tenant;
    tenant.begin_object().key("name").string("Bench storefront").key("currency").string("USD");
    tenant.key("policy").string("otpdesk").key("test_mode").boolean(false).end_object();
    tenant_id =
        json_string_member(must_succeed(operator_post("/admin/tenants", tenant.take()), "POST /admin/tenants"), "id");
    const std::string key =
        must_succeed(operator_post("/admin/tenants/" + tenant_id + "/keys", R"({"role":"service","label":"bench"})"),
                     "POST /admin/tenants/{id}/keys");
    service_key = json_string_member(key, "key");
    if (tenant_id.empty() || service_key.empty()) fail("the tenant or its key came back without an id");
}

std::string BenchHost::create_customer(HttpClient& service, const std::string& external_ref, MinorUnits deposit_minor) {
    const std::string account =
        must_succeed(service.post("/v1/accounts", R"({"external_ref":")" + external_ref + "\"}"), "POST /v1/accounts");
    std::string id = json_string_member(account, "id");
    must_succeed(service.post("/v1/accounts/" + id + "/deposits",
                              R"({"amount_minor":)" + std::to_string(deposit_minor) + "}", "deposit-" + external_ref),
                 "POST /v1/accounts/{id}/deposits");
    return id;
}

}  // namespace billing::bench
