#include "support/rfc3339.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace billing::integration {

namespace {

// Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil), so no time zone or libc state is involved.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

UtcMs parse_rfc3339(const std::string& text) {
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4u-%2u-%2uT%2u:%2u:%2u%n", &year, &month, &day, &hour, &minute, &second,
                    &consumed) != 6 ||
        consumed != 19) {
        throw std::runtime_error("not an RFC 3339 UTC time: '" + text + "'");
    }
    std::size_t at = 19;
    std::int64_t ms = 0;
    if (at < text.size() && text[at] == '.') {
        std::int64_t scale = 100;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            if (scale == 0) throw std::runtime_error("more than 3 fraction digits: '" + text + "'");
            ms += (text[at] - '0') * scale;
            scale /= 10;
        }
    }
    if (at + 1 != text.size() || text[at] != 'Z')
        throw std::runtime_error("not a UTC time ending in Z: '" + text + "'");
    const std::int64_t days = days_from_civil(year, month, day);
    return (days * 86400 + hour * 3600 + minute * 60 + second) * second_ms + ms;
}

std::string format_rfc3339(UtcMs at_ms) {
    std::int64_t seconds = at_ms / 1000;
    std::int64_t ms = at_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        seconds -= 1;
    }
    const auto as_time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&as_time, &parts);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(ms));
    return text;
}

}  // namespace billing::integration
