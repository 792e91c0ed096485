// The two public entry points: from a file on disk, or from text in memory.
#include <billing/config/load.hpp>

#include "parse_host_config.hpp"

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <ios>
#include <string>
#include <system_error>

namespace billing::config {

namespace {

constexpr std::uintmax_t file_bytes_max = std::uintmax_t{1} << 20;

Error file_error(std::string_view code, const std::filesystem::path& file, std::string_view why) {
    return Error{std::string(code), "cannot read config file " + file.string() + ": " + std::string(why)};
}

}  // namespace

Result<HostConfig> load_host_config(const std::filesystem::path& file) {
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(file, ec);
    if (status.type() == std::filesystem::file_type::not_found) {
        return file_error(kConfigNotFound, file, "no such file");
    }
    if (ec) return file_error(kConfigUnreadable, file, ec.message());
    if (status.type() != std::filesystem::file_type::regular) {
        return file_error(kConfigUnreadable, file, "not a regular file");
    }

    // A host config is a page of settings; anything this big is the wrong file.
    const std::uintmax_t size = std::filesystem::file_size(file, ec);
    if (ec) return file_error(kConfigUnreadable, file, ec.message());
    if (size > file_bytes_max) return file_error(kConfigUnreadable, file, "larger than 1 MiB");

    std::ifstream in(file, std::ios::binary);
    if (!in) return file_error(kConfigUnreadable, file, "cannot open it for reading");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.gcount() != static_cast<std::streamsize>(text.size())) {
        return file_error(kConfigUnreadable, file, "read failed");
    }

    const std::filesystem::path absolute = std::filesystem::absolute(file, ec);
    if (ec) return file_error(kConfigUnreadable, file, ec.message());
    return detail::parse_host_config_in(text, file.string(), absolute.lexically_normal().parent_path());
}

Result<HostConfig> parse_host_config(std::string_view toml_text, std::string_view source_name) {
    const std::filesystem::path base_dir = std::filesystem::path(source_name).parent_path();
    return detail::parse_host_config_in(toml_text, source_name, base_dir);
}

}  // namespace billing::config
