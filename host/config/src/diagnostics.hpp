// Collects every problem found in one config file, each tied to where it is in the file, and
// turns them into one Error whose message lists them in file order.
#pragma once

#include <billing/core/result.hpp>

#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <vector>

namespace billing::config::detail {

class Diagnostics {
public:
    explicit Diagnostics(std::string source_name);

    // `what` starts with the key path, e.g. "server.port: 65536 is out of range; allowed 0..65535".
    void add(const toml::source_position& at, std::string what);

    [[nodiscard]] bool empty() const { return problems_.empty(); }

    // One "file:line:col: what" per line, sorted by position. A broken file can have many
    // problems; past a bound the rest are counted rather than listed.
    [[nodiscard]] Error to_error(std::string code) const;

private:
    struct Problem {
        toml::source_position at;
        std::string what;
    };

    static constexpr std::size_t listed_max_ = 50;

    std::string source_name_;
    std::vector<Problem> problems_;
};

}  // namespace billing::config::detail
