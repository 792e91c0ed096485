#include "billing/http/request_log.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "billing/core/ids.hpp"
#include "billing/http/rfc3339.hpp"

namespace billing::http {

namespace {

constexpr std::size_t token_run_chars_min = 16;
constexpr std::size_t hex_run_chars_max = 32;

std::string_view known_method(std::string_view method) {
    constexpr std::array<std::string_view, 7> known{"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"};
    return std::find(known.begin(), known.end(), method) != known.end() ? method : "OTHER";
}

std::string_view level_of(int status) {
    if (status >= 500) {
        return "error";
    }
    return status >= 400 ? "warn" : "info";
}

// "1.234" for 1234 µs: integers only, so the text is exact.
std::string milliseconds_text(std::chrono::microseconds duration) {
    const auto us = std::max<std::int64_t>(duration.count(), 0);
    char text[32];
    std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(us / 1000),
                  static_cast<long long>(us % 1000));
    return text;
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_key_char(char c) { return is_alnum(c) || c == '_'; }

bool starts_with_ignoring_case(std::string_view text, std::string_view lower_prefix) {
    if (text.size() < lower_prefix.size()) return false;
    for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
        const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
        if (c != lower_prefix[i]) return false;
    }
    return true;
}

// A run of letters and digits shaped like a generated secret: long, and mixing letters with
// digits, as random base-36 or base-62 text does; hexadecimal up to 32 digits is an id's shape.
bool is_token(std::string_view run) {
    if (run.size() < token_run_chars_min) return false;
    const bool has_digit = std::any_of(run.begin(), run.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool has_letter = std::any_of(run.begin(), run.end(), [](char c) { return !(c >= '0' && c <= '9'); });
    const bool hex = std::all_of(run.begin(), run.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    if (hex && run.size() <= hex_run_chars_max) return false;
    return has_digit && has_letter;
}

void member(std::string& out, std::string_view name, std::string_view text_value) {
    out += ',';
    append_json_string(out, name);
    out += ':';
    append_json_string(out, text_value);
}

}  // namespace

std::string format_request_log(const RequestLogEntry& entry) {
    std::string out = "{\"ts\":";
    append_json_string(out, format_rfc3339_utc(entry.at_ms));
    member(out, "level", level_of(entry.status));
    member(out, "method", known_method(entry.method));
    member(out, "route", entry.route);
    out += ",\"status\":" + std::to_string(entry.status);
    out += ",\"duration_ms\":" + milliseconds_text(entry.duration);
    if (entry.tenant_id.empty()) {
        out += ",\"tenant\":null";
    } else {
        member(out, "tenant", entry.tenant_id);
    }
    member(out, "request_id", entry.request_id);
    if (!entry.error_code.empty()) {
        member(out, "error", entry.error_code);
    }
    if (entry.status >= 500 && !entry.cause.empty()) {
        member(out, "cause", entry.cause);
    }
    out += '}';
    return out;
}

std::string log_cause(std::string_view cause) {
    std::string out;
    out.reserve(std::min(cause.size(), log_cause_bytes_max));
    std::size_t at = 0;
    while (at < cause.size() && out.size() < log_cause_bytes_max) {
        if (starts_with_ignoring_case(cause.substr(at), "bk_")) {
            out += "bk_[redacted]";
            at += 3;
            while (at < cause.size() && is_key_char(cause[at])) ++at;
            continue;
        }
        out += cause[at++];
    }
    if (at < cause.size()) {
        out += "... (" + std::to_string(cause.size() - at) + " more bytes)";
    }
    return out;
}

bool looks_like_secret(std::string_view value) {
    for (std::size_t at = 0; at + 3 <= value.size(); ++at) {
        if (starts_with_ignoring_case(value.substr(at), "bk_")) return true;
    }
    if (starts_with_ignoring_case(value, "bearer") || starts_with_ignoring_case(value, "basic")) return true;
    std::size_t parts = 0;
    bool empty_part = false;
    for (std::string_view rest = value;;) {
        const std::size_t dot = rest.find('.');
        empty_part = empty_part || dot == 0 || rest.empty();
        ++parts;
        if (dot == std::string_view::npos) break;
        rest = rest.substr(dot + 1);
    }
    if (parts >= 3 && !empty_part) return true;
    // Runs of letters and digits between the separators.
    std::size_t start = 0;
    while (start < value.size()) {
        std::size_t end = start;
        while (end < value.size() && is_alnum(value[end])) ++end;
        if (is_token(value.substr(start, end - start))) return true;
        start = end + 1;
    }
    return false;
}

std::string accept_request_id(std::string_view client_value) {
    const bool plain = !client_value.empty() && client_value.size() <= request_id_chars_max &&
                       std::all_of(client_value.begin(), client_value.end(),
                                   [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
    return plain && !looks_like_secret(client_value) ? std::string(client_value) : new_id("req");
}

}  // namespace billing::http
