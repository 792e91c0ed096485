#include "billing/http/request_log.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "billing/core/ids.hpp"
#include "billing/http/rfc3339.hpp"

namespace billing::http {

namespace {

constexpr std::size_t request_id_chars_max = 64;

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
    std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(us / 1000), static_cast<long long>(us % 1000));
    return text;
}

void member(std::string& out, std::string_view name, std::string_view text_value) {
    out += ',';
    append_json_string(out, name);
    out += ':';
    append_json_string(out, text_value);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                    out += escaped;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

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
    out += '}';
    return out;
}

std::string accept_request_id(std::string_view client_value) {
    const bool plain = !client_value.empty() && client_value.size() <= request_id_chars_max &&
                       std::all_of(client_value.begin(), client_value.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                  c == '.' || c == '_' || c == '-';
                       });
    const bool looks_like_key = client_value.size() >= 3 && (client_value[0] == 'b' || client_value[0] == 'B') &&
                                (client_value[1] == 'k' || client_value[1] == 'K') && client_value[2] == '_';
    return plain && !looks_like_key ? std::string(client_value) : new_id("req");
}

}  // namespace billing::http
