// Disputes: the storefront opens one for its customer (service role), support resolves it with a
// refund or a rejection (support role), anyone of the tenant reads them. The policy decides
// whether a dispute may be opened (e.g. evidence required after repeated refunds) and what a
// resolution moves; the host keeps the record, one open dispute per order.
#include <soci/soci.h>

#include "api_call.hpp"
#include "billing/http/json_writer.hpp"
#include "views.hpp"

namespace billing::server::routes {

namespace {

constexpr http::StringBounds description_bounds{1, 2000};
constexpr http::StringBounds evidence_url_bounds{1, 2048};
constexpr http::StringBounds resolution_bounds{1, 16};
constexpr http::StringBounds note_bounds{0, 1000};
constexpr std::string_view https_prefix = "https://";

// An absolute https URL with a host and no whitespace or control characters: what a link to a
// recording must be (the host stores it, never fetches it).
bool is_https_url(const std::string& url) {
    if (url.compare(0, https_prefix.size(), https_prefix) != 0) return false;
    const std::string rest = url.substr(https_prefix.size());
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#') return false;
    for (const char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false;
    }
    return true;
}

std::string dispute_body(const DisputeRecord& dispute, const std::string& currency) {
    http::JsonWriter w;
    views::dispute(w, dispute, currency);
    return w.take();
}

// The answer to opening or resolving: the dispute, or the policy's denial.
ApiResponse disputed(Call& call, const DisputeResult& result, int status) {
    if (!result.applied.allowed) return api::problem(call, denial_problem(result.applied));
    return api::json(status, dispute_body(*result.dispute, call.tenant->currency));
}

}  // namespace

ApiResponse open_dispute(Call& call) {
    auto body = api::body_object(call, {"description", "evidence_url"});
    if (!body) return api::error(call, body.error());
    auto description = body.value().required_string("description", description_bounds);
    if (!description) return api::error(call, description.error());
    auto evidence = body.value().optional_string("evidence_url", evidence_url_bounds);
    if (!evidence) return api::error(call, evidence.error());
    if (evidence.value() && !is_https_url(*evidence.value())) {
        return api::error(call, api::invalid("evidence_url: an https:// URL of the recording, without spaces"));
    }
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    const NewDispute dispute{description.value(), evidence.value().value_or("")};
    auto policy = api::tenant_policy(call);
    if (!policy) return api::error(call, policy.error());
    const std::string& order_id = api::path_param(call, "id");
    if (!call.request.idempotency_key) {
        auto result = call.s.engine.open_dispute(*policy.value(), call.tenant->id, order_id, dispute, now.value());
        if (!result) return api::error(call, result.error());
        return disputed(call, result.value(), 201);
    }
    const auto idem = api::idempotency_key<DisputeResult>(
        call, [&](const DisputeResult& result) { return api::stored(disputed(call, result, 201)); });
    auto result = call.s.engine.open_dispute(*policy.value(), call.tenant->id, order_id, dispute, now.value(), idem);
    if (!result) return api::error(call, result.error());
    return api::replay(call, result.value().response, result.value().replayed);
}

ApiResponse resolve_dispute(Call& call) {
    auto body = api::body_object(call, {"resolution", "amount_minor", "note"});
    if (!body) return api::error(call, body.error());
    const http::JsonObject& b = body.value();
    auto resolution = b.required_string("resolution", resolution_bounds);
    if (!resolution) return api::error(call, resolution.error());
    const bool refund = resolution.value() == sdk::dispute_resolution::refund;
    if (!refund && resolution.value() != sdk::dispute_resolution::reject) {
        return api::error(call, api::invalid("resolution: \"refund\" or \"reject\""));
    }
    auto amount = b.optional_integer("amount_minor", {1, amount_minor_max});
    if (!amount) return api::error(call, amount.error());
    if (refund && !amount.value()) return api::error(call, api::invalid("amount_minor: required for a refund"));
    if (!refund && amount.value()) return api::error(call, api::invalid("amount_minor: a rejection refunds nothing"));
    auto note = b.optional_string("note", note_bounds);
    if (!note) return api::error(call, note.error());
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    auto policy = api::tenant_policy(call);
    if (!policy) return api::error(call, policy.error());
    const DisputeResolution resolved{resolution.value(), amount.value(), note.value().value_or("")};
    const auto idem = api::idempotency_key<DisputeResult>(
        call, [&](const DisputeResult& result) { return api::stored(disputed(call, result, 200)); });
    auto result = call.s.engine.resolve_dispute(*policy.value(), call.tenant->id, api::path_param(call, "id"), resolved,
                                                std::string(http::role_name(call.caller->role)), now.value(), idem);
    if (!result) return api::error(call, result.error());
    return api::replay(call, result.value().response, result.value().replayed);
}

ApiResponse get_dispute(Call& call) {
    auto dispute = call.s.engine.get_dispute(call.tenant->id, api::path_param(call, "id"));
    if (!dispute) return api::error(call, dispute.error());
    return api::json(200, dispute_body(dispute.value(), call.tenant->currency));
}

ApiResponse list_disputes(Call& call) {
    auto limit = api::page_limit(call);
    if (!limit) return api::error(call, limit.error());
    const std::string state = api::query_value(call, "state").value_or("");
    if (!state.empty() && state != dispute_state::open && state != dispute_state::refunded &&
        state != dispute_state::rejected) {
        return api::error(call, api::invalid("state: open, refunded or rejected"));
    }
    const std::string after = api::query_value(call, "starting_after").value_or("");
    auto rows = call.s.db.read(
        [&](soci::session& sql) { return disputes::list(sql, call.tenant->id, state, after, limit.value() + 1); });
    if (!rows) return api::error(call, rows.error());
    std::vector<DisputeRecord>& data = rows.value();
    const bool has_more = data.size() > limit.value();
    if (has_more) data.resize(limit.value());
    return api::list(data, has_more,
                     [&](http::JsonWriter& w, const DisputeRecord& d) { views::dispute(w, d, call.tenant->currency); });
}

}  // namespace billing::server::routes
