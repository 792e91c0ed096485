#include "resolve_path.hpp"

namespace billing::config::detail {

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::filesystem::path& path) {
    if (path.empty() || path.is_absolute()) return path.lexically_normal();
    return (base_dir / path).lexically_normal();
}

}  // namespace billing::config::detail
