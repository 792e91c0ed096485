// The host reads billing.toml with the SDK's typed TOML reader (billing/toml/reader.hpp), the
// same one every plugin's configuration is read with: one style of error message throughout.
#pragma once

#include "diagnostics.hpp"

#include <billing/toml/reader.hpp>

namespace billing::config::detail {

using toml_reader::describe;
using toml_reader::TableReader;

}  // namespace billing::config::detail
