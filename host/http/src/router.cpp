#include "billing/http/router.hpp"

#include <algorithm>

namespace billing::http {

namespace {

constexpr std::size_t param_chars_max = 128;

bool param_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

bool valid_param(std::string_view value) {
    return !value.empty() && value.size() <= param_chars_max && std::all_of(value.begin(), value.end(), param_char);
}

// "/a/b" -> {"a", "b"}; an empty segment ("//", a trailing "/", or "/" alone) stays empty, so
// that it matches nothing.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 1;
    while (true) {
        const std::size_t slash = path.find('/', start);
        parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) {
            return parts;
        }
        start = slash + 1;
    }
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The params of path under template, or nullopt when the path does not fit the template.
std::optional<std::vector<PathParam>> fit(const std::vector<std::string_view>& path,
                                          const std::vector<std::string_view>& pattern) {
    if (path.size() != pattern.size()) {
        return std::nullopt;
    }
    std::vector<PathParam> params;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (is_param(pattern[i])) {
            if (!valid_param(path[i])) {
                return std::nullopt;
            }
            params.push_back(PathParam{pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i])});
        } else if (path[i] != pattern[i]) {
            return std::nullopt;
        }
    }
    return params;
}

}  // namespace

std::optional<Method> parse_method(std::string_view name) {
    for (const Method method : {Method::get, Method::post, Method::del}) {
        if (method_name(method) == name) {
            return method;
        }
    }
    return std::nullopt;
}

std::string_view method_name(Method method) {
    switch (method) {
        case Method::get: return "GET";
        case Method::post: return "POST";
        case Method::del: return "DELETE";
    }
    return "";
}

std::optional<std::string_view> RouteMatch::param(std::string_view name) const {
    for (const PathParam& p : params) {
        if (p.name == name) {
            return p.value;
        }
    }
    return std::nullopt;
}

void Router::add(const RouteSpec& route) {
    routes_.push_back(&route);
    patterns_.push_back(segments(route.path));
}

RouteMatch Router::match(std::string_view method, std::string_view target) const {
    const std::string_view path = target.substr(0, target.find('?'));
    RouteMatch result;
    if (path.empty() || path.front() != '/') {
        return result;
    }
    const std::optional<Method> wanted = parse_method(method);
    const std::vector<std::string_view> parts = segments(path);
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        const RouteSpec* route = routes_[i];
        auto params = fit(parts, patterns_[i]);
        if (!params) {
            continue;
        }
        if (wanted == route->method) {
            return RouteMatch{
                .kind = MatchKind::found, .route = route, .index = i, .params = std::move(*params), .allow = {}};
        }
        result.kind = MatchKind::method_not_allowed;
        result.allow += std::string(result.allow.empty() ? "" : ", ") + std::string(method_name(route->method));
    }
    return result;
}

}  // namespace billing::http
