// refund_until_used.toml -> Config, with the SDK's typed TOML reader (billing/toml/reader.hpp).
// Every key is known, typed and range-checked here; anything else refuses the whole document
// with its position, so an operator's typo ("prise_minor") is an error at load time instead of
// a silently ignored line. Each problem is one line: "file:line:col: key: what is wrong".
#include "config.hpp"

#include <optional>
#include <string>

#include <billing/toml/reader.hpp>

namespace refund_until_used {
namespace {

using billing::toml_reader::Diagnostics;
using billing::toml_reader::Presence;
using billing::toml_reader::Range;
using billing::toml_reader::TableReader;
using billing::toml_reader::TimeUnit;

void read_voucher(const toml::table& voucher, Config& config, Diagnostics& diagnostics) {
    TableReader reader(voucher, "voucher", diagnostics);
    // Money is a whole number of minor units: a float such as 5.0 is refused, never rounded.
    if (const auto price = reader.money("price_minor", limits::price_minor_max, Presence::required)) {
        config.price_minor = price->value;
    }
    if (const auto valid =
            reader.duration("valid_days", TimeUnit::days, Range{1, limits::valid_days_max}, Presence::optional)) {
        config.valid_ms = valid->value.ms();
    }
    reader.refuse_unknown_keys();
}

}  // namespace

ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name) {
    Diagnostics diagnostics(source_name);
    const std::optional<toml::table> document = billing::toml_reader::parse(toml_text, diagnostics);
    if (!document) {
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    Config config;
    TableReader root(*document, "", diagnostics);
    if (const toml::table* voucher = root.required_table("voucher")) {
        read_voucher(*voucher, config, diagnostics);
    }
    root.refuse_unknown_keys();
    if (!diagnostics.empty()) {
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    return ParsedConfig{config, {}};
}

}  // namespace refund_until_used
