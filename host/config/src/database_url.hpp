// database.url: which backend, and where. Split from the section reader because the scheme rules
// and the sqlite3 path resolution are one idea that the storage layer relies on.
#pragma once

#include <billing/config/enums.hpp>
#include <billing/core/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace billing::config::detail {

struct DatabaseUrl {
    DatabaseBackend backend;
    std::string target;  // everything after "scheme://"
};

// The schemes, as listed in error messages.
inline constexpr std::string_view database_schemes = "sqlite3://, postgresql://, mysql://";

// nullopt when the scheme is not one of database_schemes. The target may be empty.
[[nodiscard]] std::optional<DatabaseUrl> split_database_url(std::string_view url);

// For postgresql and mysql, whether the target reads as USER:PASSWORD@HOST:PORT/DB
// (parse_server_address in billing/config/database_url.hpp); a sqlite3 target is a file name.
[[nodiscard]] Result<Unit> checked_server_address(const DatabaseUrl& url);

// For sqlite3, a relative file becomes absolute against `base_dir`; ":memory:" and the server
// backends are left alone. Returns the url rebuilt from the resolved parts.
[[nodiscard]] std::string resolved_database_url(DatabaseUrl& url, const std::filesystem::path& base_dir);

}  // namespace billing::config::detail
