// The runner's side of the conformance kit: a plugin file made into a kit Subject through the
// host's real loader (billing/plugin/loader.hpp), so that the kit tests exactly what a host
// would map: the same copy-to-unique-path, descriptor, ABI and build-key checks.
#pragma once

#include <filesystem>
#include <optional>

#include "billing/conformance/kit.hpp"
#include "billing/core/result.hpp"

namespace billing::conformance {

struct PluginFiles {
    std::filesystem::path plugin;                      // X.so
    std::filesystem::path config;                      // Y.toml: must be accepted
    std::optional<std::filesystem::path> declaration;  // what the plugin declares to the kit
};

// Loads the plugin (refusals keep the loader's codes and messages, e.g. plugin_abi_major_mismatch),
// checks that it accepts its configuration, and reads the declaration. The Subject's factory
// makes unconfigured objects of the loaded library; each keeps the library mapped.
Result<Subject> load_subject(const PluginFiles& files);

}  // namespace billing::conformance
