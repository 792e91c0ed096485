#include "attributes.hpp"

namespace otpdesk {
namespace {

constexpr bool is_lower_letter(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr char to_lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_ascii(std::string_view raw) {
    std::string lowered(raw);
    for (char& c : lowered) {
        c = to_lower_ascii(c);
    }
    return lowered;
}

}  // namespace

bool is_service_name(std::string_view name) {
    if (name.empty() || name.size() > service_name_bytes_max) {
        return false;
    }
    for (char c : name) {
        if (!is_lower_letter(c) && !is_digit(c) && c != '_' && c != '-') {
            return false;
        }
    }
    return true;
}

bool is_country_code(std::string_view code) {
    return code.size() == 2 && is_lower_letter(code[0]) && is_lower_letter(code[1]);
}

std::optional<std::string> normalise_service(std::string_view raw) {
    if (raw.size() > service_name_bytes_max) {
        return std::nullopt;
    }
    std::string name = lower_ascii(raw);
    if (!is_service_name(name)) {
        return std::nullopt;
    }
    return name;
}

std::optional<std::string> normalise_country(std::string_view raw) {
    if (raw.size() != 2) {
        return std::nullopt;
    }
    std::string code = lower_ascii(raw);
    if (!is_country_code(code)) {
        return std::nullopt;
    }
    return code;
}

std::string quoted(std::string_view text) {
    // Messages end up in JSON and logs: keep them printable ASCII whatever the request held.
    constexpr std::size_t shown_bytes_max = 64;
    std::string shown = "\"";
    for (char c : text.substr(0, shown_bytes_max)) {
        shown += c >= ' ' && c <= '~' && c != '"' && c != '\\' ? c : '?';
    }
    shown += text.size() > shown_bytes_max ? "...\"" : "\"";
    return shown;
}

}  // namespace otpdesk
