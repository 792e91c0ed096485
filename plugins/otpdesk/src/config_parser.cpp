// config/otpdesk.toml -> Config, with the SDK's typed TOML reader. Every key is known, typed and
// range-checked here; anything else is refused as "file:line:col: key: what is wrong".
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <billing/toml/reader.hpp>

#include "attributes.hpp"
#include "config.hpp"
#include "pricing.hpp"

namespace otpdesk {
namespace {

using billing::toml_reader::Diagnostics;
using billing::toml_reader::Duration;
using billing::toml_reader::Located;
using billing::toml_reader::Presence;
using billing::toml_reader::Range;
using billing::toml_reader::report_conflict;
using billing::toml_reader::Side;
using billing::toml_reader::TableReader;
using billing::toml_reader::TimeUnit;

constexpr Range window_s_range{1, limits::window_s_max};
constexpr Range offset_s_range{0, limits::window_s_max};
constexpr Range hours_range{1, limits::hours_max};

std::string_view key_of(const toml::key& key) { return key.str(); }

void read_countries(const toml::table& table, const std::string& path, ServicePrices& prices,
                    Diagnostics& diagnostics) {
    for (auto&& [key, node] : table) {
        const std::string name = path + '.' + std::string(key_of(key));
        if (!is_country_code(key_of(key))) {
            diagnostics.add(key.source().begin, name,
                            "a country is two lower-case letters (ISO 3166 alpha-2), e.g. us");
            continue;
        }
        if (const auto price = billing::toml_reader::integer_value(node, name, Range{0, limits::price_minor_max},
                                                                   diagnostics, "minor units")) {
            prices.country_minor.emplace(std::string(key_of(key)), *price);
        }
    }
}

ServicePrices read_service(const toml::table& table, const std::string& path, Diagnostics& diagnostics) {
    TableReader reader(table, path, diagnostics);
    ServicePrices prices;
    if (const auto price = reader.money("default_minor", limits::price_minor_max, Presence::optional)) {
        prices.default_minor = price->value;
    }
    if (const toml::table* countries = reader.table("countries")) {
        read_countries(*countries, reader.key_path("countries"), prices, diagnostics);
    }
    reader.refuse_unknown_keys();
    return prices;
}

void read_services(const toml::table& table, const std::string& path, ActivationConfig& config,
                   Diagnostics& diagnostics) {
    for (auto&& [key, node] : table) {
        const std::string name = path + '.' + std::string(key_of(key));
        if (!is_service_name(key_of(key))) {
            diagnostics.add(key.source().begin, name,
                            "a service name is 1 to 64 of a-z, 0-9, '_' and '-', e.g. telegram");
            continue;
        }
        const toml::table* service = node.as_table();
        if (service == nullptr) {
            diagnostics.add(billing::toml_reader::position_of(node), name,
                            "expected a table, got " + std::string(billing::toml_reader::describe(node)));
            continue;
        }
        config.services.emplace(std::string(key_of(key)), read_service(*service, name, diagnostics));
    }
}

void read_activation_prices(const toml::table& table, ActivationConfig& config, Diagnostics& diagnostics) {
    TableReader reader(table, "activation.prices", diagnostics);
    if (const auto price = reader.money("default_minor", limits::price_minor_max, Presence::required)) {
        config.default_minor = price->value;
    }
    if (const toml::table* services = reader.table("services")) {
        read_services(*services, reader.key_path("services"), config, diagnostics);
    }
    reader.refuse_unknown_keys();
}

ActivationConfig read_activation(const toml::table& table, Diagnostics& diagnostics) {
    TableReader reader(table, "activation", diagnostics);
    const Located<Duration> window =
        reader.duration_or("window_s", TimeUnit::seconds, defaults::activation_window_s, window_s_range);
    const Located<Duration> cancel_from =
        reader.duration_or("cancel_from_s", TimeUnit::seconds, defaults::activation_cancel_from_s, offset_s_range);
    if (cancel_from.value.count >= window.value.count) {
        const std::string from = std::to_string(cancel_from.value.count);
        const std::string until = std::to_string(window.value.count);
        report_conflict(diagnostics,
                        Side<Duration>{cancel_from, "activation.cancel_from_s",
                                       from + " must be less than activation.window_s (" + until + ")"},
                        Side<Duration>{window, "activation.window_s",
                                       until + " must be greater than activation.cancel_from_s (" + from + ")"});
    }
    ActivationConfig config;
    config.window_ms = window.value.ms();
    config.cancel_from_ms = cancel_from.value.ms();
    if (const toml::table* prices = reader.required_table("prices")) {
        read_activation_prices(*prices, config, diagnostics);
    }
    reader.refuse_unknown_keys();
    return config;
}

// The host refuses a sale priced above sdk::amount_minor_max as a policy fault: every rental
// this configuration accepts, the longest included, must be priced within it.
void refuse_unsellable_longest_rental(const Located<MinorUnits>& price_per_day, const Located<Duration>& max_hours,
                                      Diagnostics& diagnostics) {
    const auto longest = rental_price_minor(price_per_day.value, max_hours.value.count);
    if (longest && *longest <= billing::sdk::amount_minor_max) return;
    // ceil(h * p / 24) <= M exactly when h <= M * 24 / p, M being an integer.
    const std::string hours_fit = std::to_string(billing::sdk::amount_minor_max * 24 / price_per_day.value);
    const std::string price = std::to_string(price_per_day.value);
    const std::string hours = std::to_string(max_hours.value.count);
    const std::string largest =
        "the host's largest price of " + std::to_string(billing::sdk::amount_minor_max) + " (10^15)";
    report_conflict(diagnostics,
                    Side<MinorUnits>{price_per_day, "rental.price_per_day_minor",
                                     price + " prices the longest rental, rental.max_hours (" + hours + " h), above " +
                                         largest + ": at this day price rental.max_hours may be at most " + hours_fit},
                    Side<Duration>{max_hours, "rental.max_hours",
                                   hours + " h at rental.price_per_day_minor (" + price + ") is priced above " +
                                       largest + ": at this day price rental.max_hours may be at most " + hours_fit});
}

RentalConfig read_rental(const toml::table& table, Diagnostics& diagnostics) {
    TableReader reader(table, "rental", diagnostics);
    const Located<Duration> min_hours =
        reader.duration_or("min_hours", TimeUnit::hours, defaults::rental_min_hours, hours_range);
    const Located<Duration> max_hours =
        reader.duration_or("max_hours", TimeUnit::hours, defaults::rental_max_hours, hours_range);
    if (min_hours.value.count > max_hours.value.count) {
        const std::string shortest = std::to_string(min_hours.value.count);
        const std::string longest = std::to_string(max_hours.value.count);
        report_conflict(diagnostics,
                        Side<Duration>{min_hours, "rental.min_hours",
                                       shortest + " must not exceed rental.max_hours (" + longest + ")"},
                        Side<Duration>{max_hours, "rental.max_hours",
                                       longest + " must not be less than rental.min_hours (" + shortest + ")"});
    }
    const Located<Duration> cancel_window =
        reader.duration_or("cancel_window_s", TimeUnit::seconds, defaults::rental_cancel_window_s, window_s_range);
    // The capture at the end of the cancel window must come before the end of any rental.
    if (cancel_window.value.ms() >= min_hours.value.ms()) {
        const std::string window = std::to_string(cancel_window.value.count);
        const std::string shortest = std::to_string(min_hours.value.count);
        report_conflict(
            diagnostics,
            Side<Duration>{cancel_window, "rental.cancel_window_s",
                           window + " must be shorter than the shortest rental, rental.min_hours (" + shortest + " h)"},
            Side<Duration>{min_hours, "rental.min_hours",
                           shortest + " h must be longer than rental.cancel_window_s (" + window + " s)"});
    }
    RentalConfig config;
    config.min_hours = min_hours.value.count;
    config.max_hours = max_hours.value.count;
    config.cancel_window_ms = cancel_window.value.ms();
    if (const auto price = reader.money("price_per_day_minor", limits::price_minor_max, Presence::required)) {
        config.price_per_day_minor = price->value;
        refuse_unsellable_longest_rental(*price, max_hours, diagnostics);
    }
    reader.refuse_unknown_keys();
    return config;
}

// A support refund reason in stored form: 1..64 of a-z, 0-9 and '_' (the SDK's shape of
// event_field::reason, so that every reason listed can be sent).
bool is_reason(std::string_view reason) {
    if (reason.empty() || reason.size() > limits::reason_bytes_max) {
        return false;
    }
    for (const char c : reason) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

void read_refund_reasons(TableReader& reader, CaseRules& rules, Diagnostics& diagnostics) {
    const std::string name = reader.key_path("refund_reasons");
    const toml::array* array = reader.array("refund_reasons", "an array of strings");
    if (array == nullptr) {
        return;
    }
    const toml::source_position at = billing::toml_reader::position_of(*array);
    if (array->empty()) {
        diagnostics.add(at, name, "must list at least one reason");
        return;
    }
    if (array->size() > limits::refund_reasons_max) {
        diagnostics.add(at, name, "lists more than " + std::to_string(limits::refund_reasons_max) + " reasons");
        return;
    }
    std::vector<std::string> reasons;
    for (const toml::node& item : *array) {
        const toml::source_position item_at = billing::toml_reader::position_of(item);
        const auto* text = item.as_string();
        if (text == nullptr) {
            diagnostics.add(item_at, name,
                            "a reason must be a string, got " + std::string(billing::toml_reader::describe(item)));
            continue;
        }
        const std::string& reason = text->get();
        if (!is_reason(reason)) {
            diagnostics.add(item_at, name, otpdesk::quoted(reason) + " is not a reason: 1 to 64 of a-z, 0-9 and '_'");
            continue;
        }
        if (std::find(reasons.begin(), reasons.end(), reason) != reasons.end()) {
            diagnostics.add(item_at, name, otpdesk::quoted(reason) + " is listed twice");
            continue;
        }
        reasons.push_back(reason);
    }
    rules.refund_reasons = std::move(reasons);
}

void read_support(const toml::table& table, CaseRules& rules, Diagnostics& diagnostics) {
    TableReader reader(table, "support", diagnostics);
    read_refund_reasons(reader, rules, diagnostics);
    reader.refuse_unknown_keys();
}

void read_disputes(const toml::table& table, CaseRules& rules, Diagnostics& diagnostics) {
    TableReader reader(table, "disputes", diagnostics);
    rules.evidence_required_after = reader
                                        .integer_or("evidence_required_after", defaults::evidence_required_after,
                                                    Range{0, limits::evidence_required_after_max})
                                        .value;
    reader.refuse_unknown_keys();
}

}  // namespace

CaseRules default_case_rules() {
    CaseRules rules;
    for (const char* reason : defaults::support_refund_reasons) {
        rules.refund_reasons.emplace_back(reason);
    }
    rules.evidence_required_after = defaults::evidence_required_after;
    return rules;
}

ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name) {
    Diagnostics diagnostics(source_name);
    const std::optional<toml::table> document = billing::toml_reader::parse(toml_text, diagnostics);
    if (!document) {
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    TableReader root(*document, "", diagnostics);
    Config config;
    if (const toml::table* activation = root.required_table("activation")) {
        config.activation = read_activation(*activation, diagnostics);
    }
    if (const toml::table* rental = root.required_table("rental")) {
        config.rental = read_rental(*rental, diagnostics);
    }
    if (const toml::table* support = root.table("support")) {
        read_support(*support, config.cases, diagnostics);
    }
    if (const toml::table* disputes = root.table("disputes")) {
        read_disputes(*disputes, config.cases, diagnostics);
    }
    root.refuse_unknown_keys();
    if (!diagnostics.empty()) {
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    return ParsedConfig{std::move(config), {}};
}

}  // namespace otpdesk
