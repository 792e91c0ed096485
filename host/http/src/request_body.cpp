#include "billing/http/request_body.hpp"

#include <algorithm>
#include <cctype>

#include "billing/http/problem.hpp"

namespace billing::http {

namespace {

std::string lower_trimmed(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t");
    const std::size_t last = text.find_last_not_of(" \t");
    std::string out(first == std::string_view::npos ? std::string_view{} : text.substr(first, last - first + 1));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

Error too_large(std::size_t body_bytes_max) {
    return Error{std::string(problem_code::payload_too_large),
                 "the body is longer than " + std::to_string(body_bytes_max) + " bytes"};
}

}  // namespace

Result<Unit> check_json_content_type(std::string_view content_type) {
    const std::size_t semicolon = content_type.find(';');
    const std::string media = lower_trimmed(content_type.substr(0, semicolon));
    const std::string parameter =
        semicolon == std::string_view::npos ? "" : lower_trimmed(content_type.substr(semicolon + 1));
    std::string compact;
    std::copy_if(parameter.begin(), parameter.end(), std::back_inserter(compact), [](char c) { return c != ' '; });
    if (media == "application/json" &&
        (compact.empty() || compact == "charset=utf-8" || compact == "charset=\"utf-8\"")) {
        return Unit{};
    }
    return Error{std::string(problem_code::unsupported_media_type),
                 "the body must be sent as application/json, not " +
                     (content_type.empty() ? std::string("without a Content-Type") : std::string(content_type))};
}

Result<std::string> read_bounded_body(std::istream& in, std::int64_t declared_length, std::size_t body_bytes_max) {
    if (declared_length > 0 && static_cast<std::uint64_t>(declared_length) > body_bytes_max) {
        return too_large(body_bytes_max);
    }
    std::string body(body_bytes_max + 1, '\0');
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<std::size_t>(in.gcount()));
    if (body.size() > body_bytes_max) {
        return too_large(body_bytes_max);
    }
    return body;
}

}  // namespace billing::http
