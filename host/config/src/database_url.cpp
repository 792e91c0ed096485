#include "database_url.hpp"

#include "resolve_path.hpp"

#include <array>
#include <utility>

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

std::string resolved_database_url(DatabaseUrl& url, const std::filesystem::path& base_dir) {
    // ":memory:" is SQLite's name for a private in-memory database, not a file.
    if (url.backend == DatabaseBackend::sqlite3 && url.target != ":memory:") {
        url.target = resolve_path(base_dir, url.target).string();
    }
    return scheme_prefix(url.backend) + url.target;
}

}  // namespace billing::config::detail
