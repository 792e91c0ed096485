// A request target's query string as name -> value, percent-decoded ('+' reads as a space).
// Refused with bad_request (400): an escape that is not %XX, or one name given twice (a filter
// given twice has no one meaning). A pair without '=' has an empty value; empty pairs ("a=1&&b=2")
// are skipped.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "billing/core/result.hpp"

namespace billing::http {

// target is the whole request target ("/v1/orders?state=open"); the part after the first '?'
// is read. No '?': no parameters.
Result<std::map<std::string, std::string>> parse_query(std::string_view target);

}  // namespace billing::http
