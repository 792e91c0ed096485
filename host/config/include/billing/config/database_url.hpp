// The server part of a postgresql:// or mysql:// database url, read with Poco::URI: checked when
// the config loads (each problem located as file:line:col) and read again by the storage layer
// when it connects, so the two can never disagree.
//
// The form is scheme://USER:PASSWORD@HOST:PORT/DB. USER, PASSWORD and DB are percent-decoded
// before they reach the driver, so any character may be written as %XX: a password with '%'
// is written %25, a space %20, '@' %40, ':' %3A, '/' %2F. A raw space or control character, a
// bad %-escape, a second raw '@', a query or a fragment is refused; so is a '"' in a postgresql
// url's parts, which SOCI 4.0's PostgreSQL backend cannot pass on (it splits its connect string
// at double quotes before libpq reads it).
#pragma once

#include <string>
#include <string_view>

#include "billing/config/enums.hpp"
#include "billing/core/result.hpp"

namespace billing::config {

struct ServerAddress {
    std::string user;      // may be empty
    std::string password;  // may be empty
    std::string host;      // a name, an IPv4 address, or an IPv6 address without its brackets
    std::string port;      // digits, 1..65535; empty for the driver's default port
    std::string database;

    bool operator==(const ServerAddress&) const = default;
};

// `target` is what follows "scheme://". The Error (code config_invalid) says what is wrong
// without repeating the password, as a phrase about the url ("names no host: ...").
[[nodiscard]] Result<ServerAddress> parse_server_address(DatabaseBackend backend, std::string_view target);

// The url as it may be printed in a message or a log: a password between "://USER:" and the last
// '@' of the server part becomes "***". A sqlite3 url has none and comes back as it is.
[[nodiscard]] std::string redacted_database_url(std::string_view url);

}  // namespace billing::config
