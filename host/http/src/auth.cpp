#include "billing/http/auth.hpp"

#include <algorithm>
#include <cctype>

#include "billing/http/api_keys.hpp"
#include "billing/http/problem.hpp"

namespace billing::http {

namespace {

Error unauthorized(std::string message) { return Error{std::string(problem_code::unauthorized), std::move(message)}; }

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() || !same_ignoring_case(authorization.substr(0, scheme.size()), scheme) ||
        authorization[scheme.size()] != ' ') {
        return std::nullopt;
    }
    std::string_view token = authorization.substr(scheme.size());
    token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
    token.remove_suffix(token.size() - std::min(token.find_last_not_of(' ') + 1, token.size()));
    if (token.empty() || token.find(' ') != std::string_view::npos) {
        return std::nullopt;
    }
    return token;
}

Result<Caller> authenticate(std::string_view authorization, const ApiKeyLookup& lookup) {
    if (authorization.empty()) {
        return unauthorized("an Authorization: Bearer <key> header is required");
    }
    const std::optional<std::string_view> token = bearer_token(authorization);
    if (!token) {
        return unauthorized("the Authorization header must be Bearer <key>");
    }
    const std::optional<ApiKeyParts> parts = parse_api_key(*token);
    if (!parts) {
        return unauthorized("the key is not an API key of this host");
    }
    const std::optional<StoredApiKey> stored = lookup(parts->prefix);
    // One message for unknown, wrong secret, wrong tag and revoked keys: a caller probing
    // prefixes learns nothing more than "no".
    const std::string refused = "the key " + redact_api_key(*token) + " is unknown or revoked";
    if (!stored || !api_key_matches(*token, stored->digest_hex) || stored->revoked || stored->role != parts->role) {
        return unauthorized(refused);
    }
    return Caller{stored->key_id, parts->prefix, stored->tenant_id, stored->role};
}

Result<Unit> authorize(const RouteSpec& route, const std::optional<Caller>& caller) {
    if (route.roles.is_public()) {
        return Unit{};
    }
    if (!caller) {
        return unauthorized("an Authorization: Bearer <key> header is required");
    }
    if (!route.roles.contains(caller->role)) {
        return Error{std::string(problem_code::forbidden),
                     "a key of role " + std::string(role_name(caller->role)) + " may not call " +
                         std::string(method_name(route.method)) + " " + std::string(route.path)};
    }
    return Unit{};
}

}  // namespace billing::http
