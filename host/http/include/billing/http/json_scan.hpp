// A lexical pass over a request body before Poco parses it, for what Poco 1.11's parser does
// not report: it silently wraps an integer above 2^64 - 1 (18446744073709551616 -> 0), clamps
// one below -2^63 to -2^63, and keeps the last of two members with one name. The pass also
// bounds the nesting depth itself, so that "too deep" (422) is told apart from bad syntax (400).
//
// It does not check syntax (the parser does, afterwards); on text that is not JSON its findings
// mean nothing but stay bounded by the text's length. It never recurses.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace billing::http {

struct JsonScan {
    std::size_t depth = 0;  // the deepest nesting of objects and arrays: {"a":{}} is 2
    // Set when a member name appears twice in one object; its path, e.g. "attributes.country".
    std::optional<std::string> duplicate_member;
    // Set when a member name holds a backslash escape. API member names are plain ASCII, and an
    // escaped name could hide a duplicate ("a\u0062" vs "ab") from this pass.
    std::optional<std::string> escaped_member;
    // The top-level member names whose value holds an integer outside [-2^63, 2^63 - 1] (the
    // parser would have changed it). Only members of a top-level object are tracked: a body
    // that is not an object is refused anyway.
    std::set<std::string> out_of_range_members;
};

// Stops early, with depth == depth_max + 1, once the text nests deeper than depth_max.
JsonScan scan_json(std::string_view text, std::size_t depth_max);

}  // namespace billing::http
