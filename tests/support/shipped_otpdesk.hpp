// The OTPDesk plugin as the build made it, with the shipped config/otpdesk.toml, loaded through
// the real loader: what the engine, audit and benchmark suites run their orders against.
#pragma once

#include <memory>

#include "billing/core/result.hpp"
#include "billing/plugin/loader.hpp"

namespace billing::test {

// Loads a fresh instance each call (callers keep one per process where they want to).
Result<std::shared_ptr<const plugin::PolicyInstance>> load_shipped_otpdesk();

}  // namespace billing::test
