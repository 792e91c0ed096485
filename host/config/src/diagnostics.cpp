#include "diagnostics.hpp"

#include <utility>

namespace billing::config::detail {

Error Diagnostics::to_error(std::string code) const { return Error{std::move(code), text()}; }

}  // namespace billing::config::detail
