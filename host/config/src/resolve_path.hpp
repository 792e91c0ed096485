// Relative paths in a config file mean "next to this file", so that the host does the same
// thing whatever directory it was started from.
#pragma once

#include <filesystem>

namespace billing::config::detail {

// `path` itself when absolute or empty, else base_dir / path; normalised lexically (no file
// system access, so a path to a file that does not exist yet resolves all the same).
[[nodiscard]] std::filesystem::path resolve_path(const std::filesystem::path& base_dir,
                                                 const std::filesystem::path& path);

}  // namespace billing::config::detail
