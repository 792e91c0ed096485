// RFC 3339 UTC times, the only time format of the API (DESIGN §7): "2025-01-02T03:04:05.006Z",
// always with milliseconds and "Z", so that two times compare as strings as they do as numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "billing/core/clock.hpp"

namespace billing::http {

// Years 0000..9999 only: RFC 3339 has no other. A time outside them is printed as the nearest
// end of that range (never a five-digit year); the host's bounds (sdk::time_ms_max) keep its
// own times inside.
std::string format_rfc3339_utc(UtcMs at_ms);

// Accepts "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DDTHH:MM:SS.fffZ" (1 to 3 fraction digits; a
// lowercase 't'/'z' too, as RFC 3339 allows). No offsets other than Z: the API speaks UTC.
std::optional<UtcMs> parse_rfc3339_utc(std::string_view text);

}  // namespace billing::http
