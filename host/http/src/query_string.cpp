#include "billing/http/query_string.hpp"

#include <Poco/URI.h>

#include <algorithm>
#include <exception>

#include "billing/http/problem.hpp"

namespace billing::http {

namespace {

// '+' is a space (HTML form encoding, as browsers and most clients write a query); "%2B" is a
// plus. Poco 1.11's own plusAsSpace applies only after a '?' in the text it decodes, which a
// single name or value never holds, so the plus signs are replaced here, before the escapes are
// decoded. Throws Poco::URISyntaxException on an escape that is not %XX.
void decode(std::string_view encoded, std::string& decoded) {
    std::string text(encoded);
    std::replace(text.begin(), text.end(), '+', ' ');
    Poco::URI::decode(text, decoded);
}

}  // namespace

Result<std::map<std::string, std::string>> parse_query(std::string_view target) {
    std::map<std::string, std::string> out;
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) return out;
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string name;
        std::string value;
        try {
            decode(pair.substr(0, eq), name);
            if (eq != std::string_view::npos) decode(pair.substr(eq + 1), value);
        } catch (const std::exception&) {
            return Error{std::string(problem_code::bad_request), "the query string is not well encoded"};
        }
        if (!out.emplace(name, value).second) {
            return Error{std::string(problem_code::bad_request), "query parameter " + name + " is given twice"};
        }
    }
    return out;
}

}  // namespace billing::http
