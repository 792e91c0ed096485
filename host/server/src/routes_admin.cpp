// The host operator's routes: tenants, their keys, plugins, the audit.
#include "api_call.hpp"
#include "billing/audit/audit.hpp"
#include "billing/http/json_writer.hpp"
#include "views.hpp"

namespace billing::server::routes {

namespace {

constexpr std::size_t policy_config_bytes_max = 32 * 1024;

bool is_currency(const std::string& code) {
    return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

using api::invalid;

}  // namespace

ApiResponse create_tenant(Call& call) {
    auto body = api::body_object(call, {"name", "currency", "policy", "policy_config", "test_mode"});
    if (!body) return api::error(call, body.error());
    const http::JsonObject& b = body.value();
    auto name = b.required_string("name", {1, 200});
    if (!name) return api::error(call, name.error());
    auto currency = b.required_string("currency", {3, 3});
    if (!currency) return api::error(call, currency.error());
    if (!is_currency(currency.value()))
        return api::error(call, invalid("currency: three upper-case letters (ISO 4217)"));
    auto policy = b.required_string("policy", {1, 64});
    if (!policy) return api::error(call, policy.error());
    // A TOML document: its lines are kept.
    auto policy_config = b.optional_string("policy_config", {1, policy_config_bytes_max, /*multiline=*/true});
    if (!policy_config) return api::error(call, policy_config.error());
    auto test_mode = b.optional_bool("test_mode");
    if (!test_mode) return api::error(call, test_mode.error());

    NewTenant tenant{name.value(), currency.value(), policy.value(), policy_config.value().value_or(""),
                     test_mode.value().value_or(false)};
    if (auto bound = call.s.policies.check_binding(tenant.policy_name, tenant.policy_config); !bound) {
        return api::error(call, bound.error());
    }
    auto created = call.s.engine.create_tenant(tenant);
    if (!created) return api::error(call, created.error());
    http::JsonWriter w;
    views::tenant(w, created.value());
    return api::json(201, w.take());
}

ApiResponse list_tenants(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    const std::string after = api::query_value(call, "starting_after").value_or("");
    if (!after.empty()) {
        auto cursor = call.s.engine.get_tenant(after);
        if (!cursor && cursor.error().code == "tenant_not_found") {
            return api::error(call, Error{"cursor_not_found", "starting_after names no tenant"});
        }
        if (!cursor) return api::error(call, cursor.error());
    }
    auto tenants = call.s.engine.list_tenants(after, limit.value() + 1);
    if (!tenants) return api::error(call, tenants.error());
    const bool has_more = tenants.value().size() > limit.value();
    if (has_more) tenants.value().resize(limit.value());
    return api::list(tenants.value(), has_more,
                     [](http::JsonWriter& w, const TenantRecord& t) { views::tenant(w, t); });
}

ApiResponse create_key(Call& call) {
    auto body = api::body_object(call, {"role", "label"});
    if (!body) return api::error(call, body.error());
    auto role_name = body.value().required_string("role", {1, 16});
    if (!role_name) return api::error(call, role_name.error());
    const auto role = http::parse_role(role_name.value());
    if (!role || *role == http::Role::host_operator) {
        return api::error(call, invalid("role: one of service, support, admin"));
    }
    auto label = body.value().optional_string("label", {0, 200});
    if (!label) return api::error(call, label.error());
    auto tenant = call.s.engine.get_tenant(api::path_param(call, "id"));
    if (!tenant) return api::error(call, tenant.error());
    auto issued = call.s.keys.issue(tenant.value().id, *role, label.value().value_or(""), call.s.clock.now_ms());
    if (!issued) return api::error(call, issued.error());
    http::JsonWriter w;
    views::key(w, issued.value().record, &issued.value().key);
    return api::json(201, w.take());
}

ApiResponse revoke_key(Call& call) {
    const std::string& key_id = api::path_param(call, "id");
    auto key = call.s.keys.get(key_id);
    if (!key) return api::error(call, key.error());
    if (key.value().role == http::Role::host_operator) {
        return api::error(call, Error{std::string(http::problem_code::conflict),
                                      "operator keys are managed with the host's operator key file"});
    }
    auto revoked = call.s.keys.revoke(key_id, call.s.clock.now_ms());
    if (!revoked) return api::error(call, revoked.error());
    http::JsonWriter w;
    views::key(w, revoked.value(), nullptr);
    return api::json(200, w.take());
}

ApiResponse list_plugins(Call& call) {
    return api::list(call.s.policies.status(), false,
                     [](http::JsonWriter& w, const PolicyStatus& status) { views::plugin(w, status); });
}

// POST /admin/plugins/{name}/reload {"file"?, "config"?}: the swap of PolicyRegistry::reload.
// Paths are the host's own files (the operator's, like billing.toml's); relative ones are taken
// from the host's working directory.
ApiResponse reload_plugin(Call& call) {
    auto body = api::body_object(call, {"file", "config"});
    if (!body) return api::error(call, body.error());
    auto file = body.value().optional_string("file", {1, 4096});
    if (!file) return api::error(call, file.error());
    auto config = body.value().optional_string("config", {1, 4096});
    if (!config) return api::error(call, config.error());
    const std::string& name = api::path_param(call, "name");
    auto swapped = call.s.policies.reload(name, file.value(), config.value(), call.s.clock.now_ms());
    if (!swapped) {
        if (swapped.error().code == swap_error::policy_unknown) {
            return api::error(call, Error{"plugin_not_found", swapped.error().message});
        }
        // The operator's file or config was refused: 422, with the loader's or the check's own code.
        http::Problem problem = http::problem_for_error(Error{"plugin_reload_refused", swapped.error().message});
        problem.extra.emplace_back("cause", swapped.error().code);
        return api::problem(call, problem);
    }
    http::JsonWriter w;
    views::plugin_reload(w, swapped.value());
    return api::json(200, w.take());
}

// POST /admin/tenants/{id}/policy {"policy", "policy_config"?}: binds the tenant to a loaded
// policy, with the same check as at creation; a refused binding changes nothing. Orders already
// sold keep their pinned terms, and must have been sold by the same policy name to be decided
// (engine: policy_mismatch otherwise).
ApiResponse rebind_tenant(Call& call) {
    auto body = api::body_object(call, {"policy", "policy_config"});
    if (!body) return api::error(call, body.error());
    auto policy = body.value().required_string("policy", {1, 64});
    if (!policy) return api::error(call, policy.error());
    auto policy_config =
        body.value().optional_string("policy_config", {1, policy_config_bytes_max, /*multiline=*/true});
    if (!policy_config) return api::error(call, policy_config.error());
    const std::string& tenant_id = api::path_param(call, "id");
    const std::string config_text = policy_config.value().value_or("");
    if (auto bound = call.s.policies.check_binding(policy.value(), config_text); !bound) {
        return api::error(call, bound.error());
    }
    auto rebound = call.s.engine.rebind_tenant(tenant_id, policy.value(), config_text);
    if (!rebound) return api::error(call, rebound.error());
    call.s.tenants.forget(tenant_id);
    http::JsonWriter w;
    views::tenant(w, rebound.value());
    return api::json(200, w.take());
}

ApiResponse audit(Call& call) {
    auto report = audit::run_audit(call.s.db);
    if (!report) return api::error(call, report.error());
    const audit::AuditReport& r = report.value();
    http::JsonWriter w;
    w.begin_object().key("object").string("audit").key("ok").boolean(r.ok());
    w.key("checked").begin_object();
    w.key("tenants").integer(r.checked.tenants).key("accounts").integer(r.checked.accounts);
    w.key("transfers").integer(r.checked.transfers).key("orders").integer(r.checked.orders);
    w.end_object();
    w.key("violations").begin_array();
    for (const audit::Violation& v : r.violations) {
        w.begin_object();
        w.key("code").string(v.code).key("tenant_id").string(v.tenant_id);
        w.key("subject").string(audit::to_string(v.subject)).key("subject_id").string(v.subject_id);
        w.key("message").string(v.message);
        w.end_object();
    }
    w.end_array();
    w.key("truncated").begin_array();
    for (const std::string& code : r.truncated) w.string(code);
    w.end_array();
    w.end_object();
    return api::json(200, w.take());
}

}  // namespace billing::server::routes
