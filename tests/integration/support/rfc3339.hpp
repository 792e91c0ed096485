// RFC 3339 UTC times as the API writes them ("2026-01-02T03:04:05.678Z"), written here from
// first principles so that the tests do not check the host's formatter against itself.
#pragma once

#include <cstdint>
#include <string>

namespace billing::integration {

using UtcMs = std::int64_t;

inline constexpr std::int64_t second_ms = 1000;
inline constexpr std::int64_t minute_ms = 60 * second_ms;
inline constexpr std::int64_t hour_ms = 60 * minute_ms;

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (the fraction is 0 to 3 digits); throws std::runtime_error otherwise.
UtcMs parse_rfc3339(const std::string& text);
// Always with three fraction digits, as the API writes times.
std::string format_rfc3339(UtcMs at_ms);

}  // namespace billing::integration
