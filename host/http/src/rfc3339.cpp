#include "billing/http/rfc3339.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace billing::http {

namespace {

constexpr UtcMs min_ms = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr UtcMs max_ms = 253402300799999;  // 9999-12-31T23:59:59.999Z

// Digits at text[at, at + count), or nullopt when any of them is not a digit.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

bool separator(std::string_view text, std::size_t at, char expected) {
    return at < text.size() && (text[at] == expected || (expected == 'T' && text[at] == 't'));
}

// The fraction and the final Z from position at: ".f", ".ff", ".fff" or nothing, then Z.
std::optional<int> fraction_ms(std::string_view text, std::size_t at) {
    int ms = 0;
    if (at < text.size() && text[at] == '.') {
        std::size_t count = 0;
        for (std::size_t i = at + 1; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
            ++count;
        }
        if (count < 1 || count > 3) {
            return std::nullopt;
        }
        ms = *digits(text, at + 1, count);
        for (std::size_t scale = count; scale < 3; ++scale) {
            ms *= 10;
        }
        at += 1 + count;
    }
    if (at + 1 != text.size() || (text[at] != 'Z' && text[at] != 'z')) {
        return std::nullopt;
    }
    return ms;
}

}  // namespace

std::string format_rfc3339_utc(UtcMs at_ms) {
    using namespace std::chrono;
    // The host keeps what it stores and computes within sdk::time_ms_max, so only a row written
    // before that bound was enforced can get here. Printing such a time as the end of the range
    // keeps the answer valid and the shared host up; an assertion here took the host down with
    // every request of the tenant that stored it.
    at_ms = std::clamp(at_ms, min_ms, max_ms);
    const sys_time<milliseconds> at{milliseconds{at_ms}};
    const sys_days day = floor<days>(at);
    const year_month_day ymd{day};
    const hh_mm_ss<milliseconds> time{at - day};
    char text[64];
    std::snprintf(text, sizeof text,
                  "%04d-%02u-%02u"
                  "T%02d:%02d:%02d.%03dZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
    return text;
}

std::optional<UtcMs> parse_rfc3339_utc(std::string_view text) {
    using namespace std::chrono;
    const auto y = digits(text, 0, 4);
    const auto mo = digits(text, 5, 2);
    const auto d = digits(text, 8, 2);
    const auto h = digits(text, 11, 2);
    const auto mi = digits(text, 14, 2);
    const auto s = digits(text, 17, 2);
    if (!y || !mo || !d || !h || !mi || !s || !separator(text, 4, '-') || !separator(text, 7, '-') ||
        !separator(text, 10, 'T') || !separator(text, 13, ':') || !separator(text, 16, ':')) {
        return std::nullopt;
    }
    const auto ms = fraction_ms(text, 19);
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    // Leap seconds (":60") are refused: the host's clock, like Unix time, has none.
    if (!ms || !ymd.ok() || *h > 23 || *mi > 59 || *s > 59) {
        return std::nullopt;
    }
    const auto at = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*s} + milliseconds{*ms};
    return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

}  // namespace billing::http
