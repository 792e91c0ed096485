#include "views.hpp"

#include "billing/http/rfc3339.hpp"

namespace billing::server::views {

namespace {

using http::JsonWriter;

void time(JsonWriter& w, const char* name, UtcMs at_ms) { w.key(name).string(http::format_rfc3339_utc(at_ms)); }

void optional_time(JsonWriter& w, const char* name, const std::optional<UtcMs>& at_ms) {
    w.key(name);
    if (at_ms) {
        w.string(http::format_rfc3339_utc(*at_ms));
    } else {
        w.null();
    }
}

// An optional text member: null when empty.
void text_or_null(JsonWriter& w, const char* name, const std::string& value) {
    w.key(name);
    if (value.empty()) {
        w.null();
    } else {
        w.string(value);
    }
}

void strings(JsonWriter& w, const std::vector<std::string>& values) {
    w.begin_array();
    for (const std::string& v : values) w.string(v);
    w.end_array();
}

void specs(JsonWriter& w, const std::vector<sdk::AttributeSpec>& values) {
    w.begin_array();
    for (const sdk::AttributeSpec& spec : values) {
        w.begin_object();
        w.key("name").string(spec.name);
        w.key("required").boolean(spec.required);
        w.key("description").string(spec.description);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

void account(JsonWriter& w, const AccountRecord& a, const std::string& currency) {
    w.begin_object();
    w.key("id").string(a.id);
    w.key("object").string("account");
    w.key("external_ref").string(a.external_ref);
    w.key("balance_minor").integer(a.balance_minor);
    w.key("currency").string(currency);
    time(w, "created_at", a.created_at_ms);
    w.end_object();
}

void order(JsonWriter& w, const OrderRecord& o, const std::string& currency, const ActionPreview& cancel) {
    w.begin_object();
    w.key("id").string(o.id);
    w.key("object").string("order");
    w.key("account_id").string(o.account_id);
    w.key("product").string(o.product);
    w.key("state").string(o.state);
    w.key("final").boolean(o.is_final);
    text_or_null(w, "outcome", o.outcome);
    w.key("attributes").begin_object();
    for (const auto& [name, value] : o.attributes) w.key(name).string(value);
    w.end_object();
    w.key("terms").begin_object();
    for (const auto& [name, value] : o.terms) w.key(name).integer(value);
    w.end_object();
    w.key("currency").string(currency);
    w.key("price_minor").integer(o.price_minor);
    w.key("charged_minor").integer(o.charged_minor);
    w.key("captured_minor").integer(o.captured_minor);
    w.key("refunded_minor").integer(o.refunded_from_escrow_minor + o.refunded_from_revenue_minor);
    w.key("held_minor").integer(o.charged_minor - o.captured_minor - o.refunded_from_escrow_minor);
    w.key("policy").string(o.policy);
    time(w, "created_at", o.created_at_ms);
    time(w, "updated_at", o.updated_at_ms);
    optional_time(w, "closed_at", o.closed_at_ms);
    w.key("cancel").begin_object();
    w.key("allowed").boolean(cancel.allowed);
    if (!cancel.allowed) {
        w.key("code").string(cancel.code);
        w.key("message").string(cancel.message);
        optional_time(w, "available_at", cancel.available_at_ms);
    }
    w.end_object();
    w.end_object();
}

void transfer(JsonWriter& w, const queries::TransferView& t, const std::string& currency) {
    w.begin_object();
    w.key("id").string(t.id);
    w.key("object").string("transfer");
    w.key("kind").string(t.kind);
    w.key("direction").string(t.credit ? "credit" : "debit");
    w.key("amount_minor").integer(t.amount_minor);
    w.key("currency").string(currency);
    w.key("counterparty").string(t.counterparty_kind);
    text_or_null(w, "order_id", t.order_id);
    time(w, "created_at", t.created_at_ms);
    w.end_object();
}

void event(JsonWriter& w, const events::EventRow& e) {
    w.begin_object();
    w.key("id").string(e.id);
    w.key("object").string("event");
    w.key("seq").integer(e.seq);
    w.key("type").string(e.type);
    text_or_null(w, "timer", e.timer);
    w.key("actor").string(e.actor);
    w.key("policy").string(e.policy);
    w.key("allowed").boolean(e.allowed);
    w.key("code").string(e.code);
    time(w, "decided_at", e.now_ms);
    time(w, "recorded_at", e.created_at_ms);
    // The decision as the engine stored it (json_codec): moves, timers, state, attributes.
    w.key("decision").raw(e.decision_json.empty() ? "{}" : e.decision_json);
    // What the event asked ({"text":{...},"numbers":{...}}), null when it carried no fields.
    w.key("request").raw(e.request_json.empty() ? "null" : e.request_json);
    w.end_object();
}

void dispute(JsonWriter& w, const DisputeRecord& d, const std::string& currency) {
    w.begin_object();
    w.key("id").string(d.id);
    w.key("object").string("dispute");
    w.key("order_id").string(d.order_id);
    w.key("account_id").string(d.account_id);
    w.key("state").string(d.state);
    w.key("description").string(d.description);
    text_or_null(w, "evidence_url", d.evidence_url);
    time(w, "opened_at", d.opened_at_ms);
    optional_time(w, "resolved_at", d.resolved_at_ms);
    w.key("resolution");
    if (d.state == dispute_state::refunded) {
        w.string(sdk::dispute_resolution::refund);
    } else if (d.state == dispute_state::rejected) {
        w.string(sdk::dispute_resolution::reject);
    } else {
        w.null();
    }
    text_or_null(w, "resolution_note", d.resolution_note);
    w.key("refunded_minor").integer(d.refunded_minor);
    w.key("currency").string(currency);
    w.end_object();
}

void tenant(JsonWriter& w, const TenantRecord& t) {
    w.begin_object();
    w.key("id").string(t.id);
    w.key("object").string("tenant");
    w.key("name").string(t.name);
    w.key("currency").string(t.currency);
    w.key("policy").string(t.policy_name);
    w.key("custom_policy_config").boolean(!t.policy_config.empty());
    w.key("test_mode").boolean(t.test_mode);
    time(w, "created_at", t.created_at_ms);
    w.end_object();
}

void key(JsonWriter& w, const KeyRecord& k, const std::string* secret) {
    w.begin_object();
    w.key("id").string(k.id);
    w.key("object").string("api_key");
    text_or_null(w, "tenant_id", k.tenant_id);
    w.key("role").string(http::role_name(k.role));
    w.key("prefix").string(k.prefix);
    w.key("label").string(k.label);
    time(w, "created_at", k.created_at_ms);
    optional_time(w, "revoked_at", k.revoked_at_ms);
    if (secret != nullptr) w.key("key").string(*secret);
    w.end_object();
}

namespace {

// The fields of one loaded version (serving or draining).
void version_fields(JsonWriter& w, const VersionStatus& v) {
    const plugin::PluginIdentity& id = v.identity;
    w.key("version").string(id.version);
    w.key("abi").string(std::to_string(id.abi_major) + "." + std::to_string(id.abi_minor));
    w.key("build_key").string(id.build_key);
    w.key("sha256").string(id.sha256);
    w.key("file").string(id.file.string());
    // The unique copy actually mapped (removed from disk once mapped; /proc/<pid>/maps shows
    // it as "(deleted)" until the version is unloaded).
    w.key("mapped_file").string(id.copy_path.string());
    time(w, "loaded_at", id.loaded_at_ms);
    w.key("live_references").integer(v.live_references);
}

}  // namespace

void plugin(JsonWriter& w, const PolicyStatus& status) {
    w.begin_object();
    w.key("name").string(status.name);
    w.key("object").string("plugin");
    version_fields(w, status.serving);
    w.key("config").string(status.config.string());
    w.key("tenant_configs").integer(static_cast<std::int64_t>(status.tenant_configs));
    w.key("products").begin_array();
    for (const std::string& product : status.products) w.string(product);
    w.end_array();
    w.key("draining").begin_array();
    for (const VersionStatus& v : status.draining) {
        w.begin_object();
        version_fields(w, v);
        time(w, "retired_at", v.retired_at_ms);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void plugin_reload(JsonWriter& w, const SwapReport& report) {
    w.begin_object();
    w.key("object").string("plugin_reload");
    w.key("name").string(report.name);
    w.key("previous").begin_object();
    w.key("version").string(report.previous.version).key("sha256").string(report.previous.sha256);
    w.end_object();
    w.key("serving").begin_object();
    w.key("version").string(report.serving.version).key("sha256").string(report.serving.sha256);
    w.key("mapped_file").string(report.serving.copy_path.string());
    time(w, "loaded_at", report.serving.loaded_at_ms);
    w.end_object();
    w.key("tenant_configs").integer(static_cast<std::int64_t>(report.tenant_configs));
    w.end_object();
}

void product(JsonWriter& w, const sdk::ProductInfo& p) {
    w.begin_object();
    w.key("name").string(p.name);
    w.key("object").string("product");
    w.key("description").string(p.description);
    w.key("attributes");
    specs(w, p.attributes);
    w.key("numbers");
    specs(w, p.numbers);
    w.key("states");
    strings(w, p.states);
    w.key("final_states");
    strings(w, p.final_states);
    w.key("outcomes");
    strings(w, p.outcomes);
    w.end_object();
}

}  // namespace billing::server::views
