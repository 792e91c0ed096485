#include "billing/http/query_string.hpp"

#include <Poco/URI.h>

#include <exception>

#include "billing/http/problem.hpp"

namespace billing::http {

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
            Poco::URI::decode(std::string(pair.substr(0, eq)), name, true);
            if (eq != std::string_view::npos) Poco::URI::decode(std::string(pair.substr(eq + 1)), value, true);
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
