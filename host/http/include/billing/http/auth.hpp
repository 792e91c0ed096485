// Who is calling, and may they call this route: `Authorization: Bearer <key>` -> the caller
// (401 unauthorized on any failure), then the route's roles -> 403 forbidden. The tenant comes
// from the key, never from the request (DESIGN §6). No message here ever holds the key.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "billing/core/result.hpp"
#include "billing/http/roles.hpp"
#include "billing/http/router.hpp"

namespace billing::http {

// The stored form of a key, as the key store returns it for a prefix.
struct StoredApiKey {
    std::string key_id;
    std::string tenant_id;  // empty for an operator key
    Role role = Role::service;
    std::string digest_hex;
    bool revoked = false;
};

// Finds the key stored under a prefix (the storage's business; tests pass a map).
using ApiKeyLookup = std::function<std::optional<StoredApiKey>(std::string_view prefix)>;

struct Caller {
    std::string key_id;
    std::string key_prefix;  // for the log: the prefix is no secret
    std::string tenant_id;   // empty for an operator
    Role role = Role::service;
};

// The token of "Bearer <token>" (scheme case-insensitive, RFC 9110 §11.1), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// unauthorized (401) when the header is missing or not Bearer, the key is malformed, unknown,
// revoked or does not match its digest, or its tag disagrees with the stored role. The
// messages say which, without the key.
Result<Caller> authenticate(std::string_view authorization, const ApiKeyLookup& lookup);

// forbidden (403) unless the route is public or admits the caller's role. A public route needs
// no caller; any other with no caller is unauthorized (401).
Result<Unit> authorize(const RouteSpec& route, const std::optional<Caller>& caller);

}  // namespace billing::http
