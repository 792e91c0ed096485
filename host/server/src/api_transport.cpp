// Answers of the HTTP transport itself: they pass through the same problem catalogue, metrics
// and request log as the API's, so an operator sees a flood of malformed heads the same way.
#include <chrono>

#include "billing/http/problem.hpp"
#include "billing/http/request_log.hpp"
#include "billing/server/api.hpp"

namespace billing::server {

ApiResponse Api::transport_problem(std::string_view code, std::string detail) {
    http::Problem problem = http::make_problem(code, std::move(detail));
    problem.request_id = http::accept_request_id("");
    ApiResponse response;
    response.status = problem.status;
    response.content_type = std::string(http::problem_content_type);
    response.body = http::problem_body(problem);
    response.headers.emplace_back("X-Request-Id", problem.request_id);
    try {
        s_.metrics.request(http::unmatched_route, response.status, 0.0);
        if (options_.log) {
            options_.log({.at_ms = s_.clock.now_ms(),
                          .method = "",
                          .route = http::unmatched_route,
                          .status = response.status,
                          .duration = std::chrono::microseconds(0),
                          .tenant_id = "",
                          .request_id = problem.request_id,
                          .error_code = problem.code,
                          .cause = problem.status >= 500 ? std::string_view(problem.detail) : std::string_view()});
        }
    } catch (...) {
        // Counting and logging are best effort here: the answer must still go out.
    }
    return response;
}

}  // namespace billing::server
