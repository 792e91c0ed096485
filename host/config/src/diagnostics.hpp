// Collects every problem found in one config file, each tied to where it is in the file, and
// turns them into one Error whose message lists them in file order. The collecting, the order
// and the one-line form are the SDK's (billing/toml/reader.hpp), shared with every plugin's
// configuration; the host adds only the Error.
#pragma once

#include <billing/core/result.hpp>
#include <billing/toml/reader.hpp>

#include <string>

namespace billing::config::detail {

class Diagnostics : public toml_reader::Diagnostics {
public:
    using toml_reader::Diagnostics::Diagnostics;

    // One "file:line:col: key: what" per line (see toml_reader::Diagnostics::text).
    [[nodiscard]] Error to_error(std::string code) const;
};

}  // namespace billing::config::detail
