#include "database_url.hpp"

#include "resolve_path.hpp"

#include <billing/config/database_url.hpp>
#include <billing/config/load.hpp>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <utility>

namespace billing::config {

namespace {

Error invalid(const std::string& what) { return Error{std::string(kConfigInvalid), what}; }

bool is_control_or_space(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
}

// A part of the user information, percent-decoded; nullopt and `problem` set when it cannot be.
std::optional<std::string> decoded(const std::string& raw, const char* part, std::string& problem) {
    std::string out;
    try {
        Poco::URI::decode(raw, out);
    } catch (const Poco::Exception&) {
        problem = std::string("has a '%' not followed by two hex digits in its ") + part + " (write '%' itself as %25)";
        return std::nullopt;
    }
    if (std::any_of(out.begin(), out.end(), [](char c) { return is_control_or_space(c) && c != ' '; })) {
        problem = std::string("has a control character in its ") + part;
        return std::nullopt;
    }
    return out;
}

}  // namespace

Result<ServerAddress> parse_server_address(DatabaseBackend backend, std::string_view target) {
    const std::string text(target);
    if (std::any_of(text.begin(), text.end(), is_control_or_space)) {
        return invalid("has a space or control character in it; percent-encode it (a space is %20)");
    }
    // Poco::URI keeps only what follows the last '@' of the authority as user information: a raw
    // '@' in a password would silently drop what precedes it.
    const std::string authority = text.substr(0, text.find_first_of("/?#"));
    if (std::count(authority.begin(), authority.end(), '@') > 1) {
        return invalid("has more than one '@' before its host; write an '@' in the user or password as %40");
    }
    Poco::URI uri;
    try {
        uri = Poco::URI("server://" + text);
    } catch (const Poco::Exception& e) {
        return invalid("does not parse: " + e.message());
    }
    if (uri.getHost().empty()) return invalid("names no host: expected USER:PASSWORD@HOST:PORT/DB after the scheme");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) {
        return invalid("has a query or fragment ('?' or '#'), which the host does not read");
    }
    const std::string& path = uri.getPath();
    if (path.size() < 2 || path.find('/', 1) != std::string::npos) {
        return invalid(
            "names no database, or more than one path segment: expected USER:PASSWORD@HOST:PORT/DB after the scheme");
    }
    ServerAddress address;
    address.host = uri.getHost();
    if (uri.getSpecifiedPort() != 0) address.port = std::to_string(uri.getSpecifiedPort());
    address.database = path.substr(1);
    // The user ends at the first raw ':'; an encoded one (%3A) belongs to the user.
    const std::string& user_info = uri.getUserInfo();
    const auto colon = user_info.find(':');
    std::string problem;
    const auto user = decoded(user_info.substr(0, colon), "user", problem);
    if (!user) return invalid(problem);
    address.user = *user;
    if (colon != std::string::npos) {
        const auto password = decoded(user_info.substr(colon + 1), "password", problem);
        if (!password) return invalid(problem);
        address.password = *password;
    }
    if (std::any_of(address.database.begin(), address.database.end(),
                    [](char c) { return is_control_or_space(c) && c != ' '; })) {
        return invalid("has a control character in its database name");
    }
    if (backend == DatabaseBackend::postgresql &&
        (address.user + address.password + address.database).find('"') != std::string::npos) {
        return invalid("has a '\"' in its user, password or database name, which SOCI 4.0's PostgreSQL backend "
                       "cannot pass to the server");
    }
    return address;
}

}  // namespace billing::config

namespace billing::config::detail {

namespace {

constexpr std::array backends{DatabaseBackend::sqlite3, DatabaseBackend::postgresql, DatabaseBackend::mysql};

std::string scheme_prefix(DatabaseBackend backend) { return std::string(to_string(backend)) + "://"; }

}  // namespace

std::optional<DatabaseUrl> split_database_url(std::string_view url) {
    for (const DatabaseBackend backend : backends) {
        const std::string prefix = scheme_prefix(backend);
        if (url.starts_with(prefix)) return DatabaseUrl{backend, std::string(url.substr(prefix.size()))};
    }
    return std::nullopt;
}

Result<Unit> checked_server_address(const DatabaseUrl& url) {
    if (url.backend == DatabaseBackend::sqlite3) return Unit{};
    auto address = parse_server_address(url.backend, url.target);
    if (!address) return address.error();
    return Unit{};
}

std::string resolved_database_url(DatabaseUrl& url, const std::filesystem::path& base_dir) {
    // ":memory:" is SQLite's name for a private in-memory database, not a file.
    if (url.backend == DatabaseBackend::sqlite3 && url.target != ":memory:") {
        url.target = resolve_path(base_dir, url.target).string();
    }
    return scheme_prefix(url.backend) + url.target;
}

}  // namespace billing::config::detail

namespace billing::config {

std::string redacted_database_url(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::string(url);
    const std::size_t start = scheme_end + 3;
    // The server part ends at the path, its user information at the last '@' before that (a
    // raw '@' in a password is refused at load, but the url printed may be one that failed).
    const std::size_t path = url.find('/', start);
    const std::string_view authority = url.substr(start, path == std::string_view::npos ? url.npos : path - start);
    const std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const std::size_t colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) return std::string(url);
    std::string redacted(url.substr(0, start + colon + 1));
    redacted += "***";
    redacted += url.substr(start + at);
    return redacted;
}

}  // namespace billing::config
