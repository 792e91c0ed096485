// refund_until_used.toml -> Config. Every key is known, typed and range-checked here; anything
// else refuses the whole document with its position, so an operator's typo ("prise_minor") is
// an error at load time instead of a silently ignored line.
#include "config.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace refund_until_used {
namespace {

// Collects "source:line:col: what" messages and prints them in document order.
class Problems {
public:
    explicit Problems(std::string source_name) : source_name_(std::move(source_name)) {}

    void add(const toml::source_region& where, std::string what) {
        // Nodes the parser made up (none here, but cheap to be safe) have no position: blame 1:1.
        const toml::source_position at = where.begin ? where.begin : toml::source_position{1, 1};
        entries_.push_back(Entry{at.line, at.column, std::move(what)});
    }
    [[nodiscard]] bool empty() const { return entries_.empty(); }

    [[nodiscard]] std::string text() const {
        // toml++ iterates tables in key order; an operator reads errors top to bottom.
        std::vector<Entry> sorted = entries_;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        std::string text;
        for (const Entry& entry : sorted) {
            if (!text.empty()) {
                text += '\n';
            }
            text += source_name_ + ':' + std::to_string(entry.line) + ':' + std::to_string(entry.column) + ": " +
                    entry.what;
        }
        return text;
    }

private:
    struct Entry {
        toml::source_index line = 0;
        toml::source_index column = 0;
        std::string what;
    };
    std::string source_name_;
    std::vector<Entry> entries_;
};

// The integer at `key` if it is one and lies in min..=max; otherwise records why and returns
// nullopt. A float such as 5.0 is refused too: money and days are whole numbers.
std::optional<std::int64_t> read_integer(const toml::node& node, const std::string& name, std::int64_t min,
                                         std::int64_t max, Problems& problems) {
    const auto* integer = node.as_integer();
    if (integer == nullptr) {
        problems.add(node.source(), name + " must be an integer");
        return std::nullopt;
    }
    const std::int64_t value = integer->get();
    if (value < min || value > max) {
        problems.add(node.source(), name + " must be between " + std::to_string(min) + " and " +
                                        std::to_string(max) + ", not " + std::to_string(value));
        return std::nullopt;
    }
    return value;
}

// Refuses every key of `table` not in `known`.
void refuse_unknown_keys(const toml::table& table, std::string_view path,
                         std::initializer_list<std::string_view> known, Problems& problems) {
    for (auto&& [key, node] : table) {
        (void)node;
        if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
            const std::string prefix = path.empty() ? std::string() : std::string(path) + '.';
            problems.add(key.source(), "unknown key " + prefix + std::string(key.str()));
        }
    }
}

void read_voucher(const toml::table& voucher, Config& config, Problems& problems) {
    if (const toml::node* price = voucher.get("price_minor")) {
        if (auto value = read_integer(*price, "voucher.price_minor", 0, limits::price_minor_max, problems)) {
            config.price_minor = *value;
        }
    } else {
        problems.add(voucher.source(), "missing required key voucher.price_minor");
    }
    if (const toml::node* days = voucher.get("valid_days")) {
        if (auto value = read_integer(*days, "voucher.valid_days", 1, limits::valid_days_max, problems)) {
            config.valid_ms = *value * billing::sdk::ms_per_day;  // at most 3650 days: no overflow
        }
    }
    refuse_unknown_keys(voucher, "voucher", {"price_minor", "valid_days"}, problems);
}

}  // namespace

ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name) {
    Problems problems(source_name);
    toml::table document;
    try {
        document = toml::parse(std::string_view(toml_text), std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        problems.add(error.source(), std::string(error.description()));
        return ParsedConfig{std::nullopt, problems.text()};
    }

    Config config;
    if (const toml::node* voucher = document.get("voucher")) {
        if (const toml::table* table = voucher->as_table()) {
            read_voucher(*table, config, problems);
        } else {
            problems.add(voucher->source(), "voucher must be a table");
        }
    } else {
        problems.add(document.source(), "missing required table [voucher]");
    }
    refuse_unknown_keys(document, "", {"voucher"}, problems);

    if (!problems.empty()) {
        return ParsedConfig{std::nullopt, problems.text()};
    }
    return ParsedConfig{config, {}};
}

}  // namespace refund_until_used
