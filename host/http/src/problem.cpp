#include "billing/http/problem.hpp"

#include <algorithm>
#include <array>
#include <cassert>

#include "billing/core/json_reader.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/rfc3339.hpp"

namespace billing::http {

namespace {

namespace pc = problem_code;

constexpr std::array catalogue{
    ProblemKind{pc::malformed_json, 400, "The body is not valid JSON"},
    ProblemKind{pc::bad_request, 400, "The request is malformed"},
    ProblemKind{pc::idempotency_key_required, 400, "An Idempotency-Key header is required"},
    ProblemKind{pc::bad_request_line, 400, "The request line is malformed"},
    ProblemKind{pc::bad_header, 400, "A header field is malformed"},
    ProblemKind{pc::missing_host, 400, "An HTTP/1.1 request needs exactly one Host header"},
    ProblemKind{pc::bad_content_length, 400, "The Content-Length header is invalid"},
    ProblemKind{pc::bad_transfer_encoding, 400, "The Transfer-Encoding header is invalid"},
    ProblemKind{pc::bad_chunked_body, 400, "The chunked body is malformed"},
    ProblemKind{pc::unauthorized, 401, "A valid API key is required"},
    ProblemKind{pc::forbidden, 403, "The API key's role may not do this"},
    ProblemKind{pc::not_found, 404, "No such resource"},
    ProblemKind{pc::method_not_allowed, 405, "The resource does not support this method"},
    ProblemKind{pc::request_timeout, 408, "The request did not arrive in time"},
    ProblemKind{pc::conflict, 409, "The request conflicts with the resource's state"},
    ProblemKind{pc::idempotency_in_flight, 409, "A request with this Idempotency-Key is in progress"},
    ProblemKind{pc::payload_too_large, 413, "The body is too large"},
    ProblemKind{pc::unsupported_media_type, 415, "The body must be application/json"},
    ProblemKind{pc::expectation_failed, 417, "Only Expect: 100-continue is supported"},
    ProblemKind{pc::validation_failed, 422, "The request is invalid"},
    ProblemKind{pc::idempotency_key_reused, 422, "The Idempotency-Key was used for another request"},
    ProblemKind{pc::too_many_connections, 429, "Too many connections from this client"},
    ProblemKind{pc::header_too_large, 431, "The request head is too large"},
    ProblemKind{pc::internal, 500, "Internal error"},
    ProblemKind{pc::transfer_coding_not_implemented, 501, "Only the chunked transfer coding is supported"},
    ProblemKind{pc::storage_unavailable, 503, "The database is unavailable"},
    ProblemKind{pc::shutting_down, 503, "The server is shutting down"},
    ProblemKind{pc::overloaded, 503, "The server is overloaded; retry later"},
    ProblemKind{pc::http_version_not_supported, 505, "Only HTTP/1.0 and HTTP/1.1 are supported"},
};

// Engine and storage codes that are not in the catalogue but have a fixed status. The storage's
// and the ledger's failures are hidden behind a catalogue code.
struct Mapping {
    std::string_view from;
    int status;
    std::string_view code;  // empty: keep the error's code
    std::string_view title;
};

constexpr std::array mappings{
    Mapping{"tenant_not_found", 404, "", "No such tenant"},
    Mapping{"account_not_found", 404, "", "No such account"},
    Mapping{"order_not_found", 404, "", "No such order"},
    Mapping{"dispute_not_found", 404, "", "No such dispute"},
    Mapping{"dispute_already_open", 409, "", "The order has an open dispute"},
    Mapping{"dispute_not_open", 409, "", "The dispute is resolved already"},
    Mapping{"insufficient_funds", 409, "", "The account's balance is too low"},
    Mapping{"duplicate_external_ref", 409, "", "An account with this external_ref exists"},
    Mapping{"policy_mismatch", 409, "", "The order was sold under another policy"},
    Mapping{"invalid_request", 422, pc::validation_failed, ""},
    Mapping{"test_clock_unavailable", 409, "", "The tenant is live: it runs on the system clock"},
    Mapping{"test_clock_out_of_range", 422, "", "The test clock would pass the host's latest time"},
    Mapping{"balance_limit_exceeded", 422, "", "The ledger's bound on balances is reached"},
    Mapping{"key_not_found", 404, "", "No such API key"},
    Mapping{"plugin_not_found", 404, "", "No policy of that name is loaded"},
    Mapping{"cursor_not_found", 404, "", "starting_after names no record of this list"},
    Mapping{"policy_unknown", 422, "", "No policy of that name is loaded"},
    Mapping{"plugin_config_rejected", 422, "", "The policy refused the config"},
    Mapping{"plugin_reload_refused", 422, "", "The new version was refused; the serving version stays"},
    // Server faults that must not pass for a policy's refusal (422): hidden behind internal.
    Mapping{"entropy_unavailable", 500, pc::internal, ""},
    Mapping{"storage_corrupt", 500, pc::internal, ""},
    Mapping{"plugin_factory_failed", 500, pc::internal, ""},
    Mapping{"plugin_info_mismatch", 500, pc::internal, ""},
    Mapping{"policy_unavailable", 503, "", "No policy serves this tenant now"},
    Mapping{"policy_failed", 500, "", "The tenant's policy failed"},
    Mapping{"policy_violation", 500, "", "The tenant's policy made an invalid decision"},
    Mapping{"ledger_violation", 500, pc::internal, ""},
    Mapping{"storage_conflict", 503, pc::storage_unavailable, ""},
    Mapping{"storage_busy", 503, pc::storage_unavailable, ""},
    Mapping{"storage_unavailable", 503, pc::storage_unavailable, ""},
    Mapping{"storage_constraint", 500, pc::internal, ""},
    Mapping{"storage_failed", 500, pc::internal, ""},
};

constexpr std::string_view server_fault_detail = "the server could not complete the request; it is logged";
constexpr std::string_view unavailable_detail = "the service is unavailable for a moment; retry later";

bool stable_code(std::string_view code) {
    return !code.empty() && code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

[[maybe_unused]] bool standard_member(std::string_view name) {
    return name == "type" || name == "title" || name == "status" || name == "detail" || name == "code" ||
           name == "instance" || name == "request_id";
}

// 5xx details are fixed: the error's message may hold SQL, paths or a plugin's internals.
Problem hide_server_fault(Problem problem) {
    if (problem.status >= 500) {
        problem.detail = std::string(problem.status == 503 ? unavailable_detail : server_fault_detail);
    }
    return problem;
}

}  // namespace

std::span<const ProblemKind> problem_catalogue() { return catalogue; }

const ProblemKind* find_problem_kind(std::string_view code) {
    const auto* found =
        std::find_if(catalogue.begin(), catalogue.end(), [code](const ProblemKind& kind) { return kind.code == code; });
    return found == catalogue.end() ? nullptr : found;
}

Problem make_problem(std::string_view code, std::string detail) {
    const ProblemKind* kind = find_problem_kind(code);
    assert(kind != nullptr && "make_problem takes only the catalogue's codes");
    return Problem{.status = kind->status,
                   .code = std::string(kind->code),
                   .title = std::string(kind->title),
                   .detail = std::move(detail)};
}

Problem problem_for_error(const Error& error) {
    if (find_problem_kind(error.code) != nullptr) {
        return hide_server_fault(make_problem(error.code, error.message));
    }
    const auto* mapped =
        std::find_if(mappings.begin(), mappings.end(), [&error](const Mapping& m) { return m.from == error.code; });
    if (mapped != mappings.end()) {
        if (!mapped->code.empty()) {
            return hide_server_fault(make_problem(mapped->code, error.message));
        }
        return hide_server_fault(Problem{.status = mapped->status,
                                         .code = error.code,
                                         .title = std::string(mapped->title),
                                         .detail = error.message});
    }
    if (stable_code(error.code)) {
        return Problem{
            .status = 422, .code = error.code, .title = "Refused by the tenant's policy", .detail = error.message};
    }
    return hide_server_fault(make_problem(problem_code::internal, ""));
}

Problem policy_denial(std::string code, std::string message, std::optional<UtcMs> available_at) {
    Problem problem{.status = 409,
                    .code = std::move(code),
                    .title = "Not allowed by the tenant's policy now",
                    .detail = std::move(message)};
    if (available_at) {
        problem.extra.emplace_back("available_at", format_rfc3339_utc(*available_at));
    }
    return problem;
}

std::string problem_type_uri(std::string_view code) { return std::string(problem_type_prefix) + std::string(code); }

std::string problem_body(const Problem& problem) {
    JsonWriter body;
    body.begin_object();
    body.key("type").string(problem_type_uri(problem.code));
    body.key("title").string(problem.title);
    body.key("status").integer(problem.status);
    body.key("detail").string(problem.detail);
    body.key("code").string(problem.code);
    if (!problem.request_id.empty()) body.key("request_id").string(problem.request_id);
    for (const auto& [name, value] : problem.extra) {
        assert(!standard_member(name) && "an extension member may not replace a standard one");
        body.key(name);
        if (const auto* text = std::get_if<std::string>(&value)) {
            body.string(*text);
        } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
            body.integer(*number);
        } else {
            body.boolean(std::get<bool>(value));
        }
    }
    body.end_object();
    return body.take();
}

std::optional<Problem> parse_problem_body(std::string_view body) {
    using json::Value;
    json::ReadReport report;
    // The members' order is kept: the extension members are written back in it.
    const Value object = json::read(body, {.depth_max = 64, .nul_characters = true}, report);
    if (report.failure || report.duplicate_name || object.kind != Value::Kind::object) return std::nullopt;
    const auto text = [&object](std::string_view name) -> std::optional<std::string> {
        const Value* value = object.find(name);
        if (value == nullptr || value->kind != Value::Kind::string) return std::nullopt;
        return value->text;
    };
    const Value* status = object.find("status");
    auto title = text("title");
    auto detail = text("detail");
    auto code = text("code");
    if (!title || !detail || !code || status == nullptr || status->kind != Value::Kind::integer ||
        status->integer < 100 || status->integer > 599) {
        return std::nullopt;
    }
    Problem problem{.status = static_cast<int>(status->integer),
                    .code = std::move(*code),
                    .title = std::move(*title),
                    .detail = std::move(*detail),
                    .request_id = text("request_id").value_or("")};
    for (std::size_t i = 0; i < object.names.size(); ++i) {
        const std::string& name = object.names[i];
        if (standard_member(name) || name == "type") continue;
        const Value& value = object.items[i];
        if (value.kind == Value::Kind::string) {
            problem.extra.emplace_back(name, value.text);
        } else if (value.kind == Value::Kind::boolean) {
            problem.extra.emplace_back(name, value.boolean);
        } else if (value.kind == Value::Kind::integer) {
            problem.extra.emplace_back(name, value.integer);
        } else {
            return std::nullopt;
        }
    }
    return problem;
}

}  // namespace billing::http
