// The parse behind both public entry points, with the base directory for relative paths given
// separately from the name used in messages (load_host_config names the file as the user gave
// it but resolves against its absolute directory).
#pragma once

#include <billing/config/host_config.hpp>
#include <billing/core/result.hpp>

#include <filesystem>
#include <string_view>

namespace billing::config::detail {

[[nodiscard]] Result<HostConfig> parse_host_config_in(std::string_view toml_text, std::string_view source_name,
                                                      const std::filesystem::path& base_dir);

}  // namespace billing::config::detail
