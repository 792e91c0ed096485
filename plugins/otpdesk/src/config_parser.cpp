// config/otpdesk.toml -> Config. Every key is known, typed and range-checked here; anything
// else is refused with its position.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "attributes.hpp"
#include "config.hpp"
#include "pricing.hpp"
#include "toml_reader.hpp"

namespace otpdesk {
namespace {

using billing::sdk::ms_per_second;

constexpr IntRange window_s_range{1, limits::window_s_max};
constexpr IntRange offset_s_range{0, limits::window_s_max};
constexpr IntRange hours_range{1, limits::hours_max};
constexpr IntRange price_range{0, limits::price_minor_max};

// Which of two related keys to blame for a conflict: the one the operator actually wrote.
toml::source_position blame(const IntField& first_choice, const IntField& other) {
    return first_choice.from_document || !other.from_document ? first_choice.where : other.where;
}

void read_countries(const toml::table& table, const std::string& path, ServicePrices& prices,
                    Diagnostics& diagnostics) {
    for (auto&& [key, node] : table) {
        const std::string name = path + '.' + std::string(key.str());
        if (!is_country_code(key.str())) {
            diagnostics.add(position_of(key.source()),
                            name + ": a country is two lower-case letters (ISO 3166 alpha-2), e.g. us");
            continue;
        }
        if (const auto price = read_integer(node, name, price_range, diagnostics)) {
            prices.country_minor.emplace(std::string(key.str()), *price);
        }
    }
}

ServicePrices read_service(const toml::table& table, const std::string& path, Diagnostics& diagnostics) {
    TableReader reader(table, path, diagnostics);
    ServicePrices prices;
    if (const auto price = reader.optional_integer("default_minor", price_range)) {
        prices.default_minor = price->value;
    }
    if (const toml::table* countries = reader.table("countries", false)) {
        read_countries(*countries, reader.name_of("countries"), prices, diagnostics);
    }
    reader.refuse_unknown_keys();
    return prices;
}

void read_services(const toml::table& table, const std::string& path, ActivationConfig& config,
                   Diagnostics& diagnostics) {
    for (auto&& [key, node] : table) {
        const std::string name = path + '.' + std::string(key.str());
        if (!is_service_name(key.str())) {
            diagnostics.add(position_of(key.source()),
                            name + ": a service name is 1 to 64 of a-z, 0-9, '_' and '-', e.g. telegram");
            continue;
        }
        const toml::table* service = node.as_table();
        if (service == nullptr) {
            diagnostics.add(position_of(node.source()),
                            name + " must be a table, not " + std::string(describe_type(node.type())));
            continue;
        }
        config.services.emplace(std::string(key.str()), read_service(*service, name, diagnostics));
    }
}

void read_activation_prices(const toml::table& table, ActivationConfig& config, Diagnostics& diagnostics) {
    TableReader reader(table, "activation.prices", diagnostics);
    if (const auto price = reader.required_integer("default_minor", price_range)) {
        config.default_minor = price->value;
    }
    if (const toml::table* services = reader.table("services", false)) {
        read_services(*services, reader.name_of("services"), config, diagnostics);
    }
    reader.refuse_unknown_keys();
}

ActivationConfig read_activation(const toml::table& table, Diagnostics& diagnostics) {
    TableReader reader(table, "activation", diagnostics);
    const IntField window = reader.integer("window_s", defaults::activation_window_s, window_s_range);
    const IntField cancel_from =
        reader.integer("cancel_from_s", defaults::activation_cancel_from_s, offset_s_range);
    if (cancel_from.value >= window.value) {
        diagnostics.add(blame(cancel_from, window),
                        "activation.cancel_from_s (" + std::to_string(cancel_from.value) +
                            ") must be less than activation.window_s (" + std::to_string(window.value) + ")");
    }
    ActivationConfig config;
    config.window_ms = window.value * ms_per_second;
    config.cancel_from_ms = cancel_from.value * ms_per_second;
    if (const toml::table* prices = reader.table("prices", true)) {
        read_activation_prices(*prices, config, diagnostics);
    }
    reader.refuse_unknown_keys();
    return config;
}

// The host refuses a sale priced above sdk::amount_minor_max as a policy fault: every rental
// this configuration accepts, the longest included, must be priced within it.
void refuse_unsellable_longest_rental(const IntField& price_per_day, const IntField& max_hours,
                                      Diagnostics& diagnostics) {
    const auto longest = rental_price_minor(price_per_day.value, max_hours.value);
    if (longest && *longest <= billing::sdk::amount_minor_max) return;
    // ceil(h * p / 24) <= M exactly when h <= M * 24 / p, M being an integer.
    const std::int64_t hours_fit = billing::sdk::amount_minor_max * 24 / price_per_day.value;
    diagnostics.add(blame(price_per_day, max_hours),
                    "rental.price_per_day_minor (" + std::to_string(price_per_day.value) +
                        ") prices the longest rental, rental.max_hours (" + std::to_string(max_hours.value) +
                        " h), above the host's largest price of " + std::to_string(billing::sdk::amount_minor_max) +
                        " (10^15): at this day price rental.max_hours may be at most " + std::to_string(hours_fit));
}

RentalConfig read_rental(const toml::table& table, Diagnostics& diagnostics) {
    TableReader reader(table, "rental", diagnostics);
    const IntField min_hours = reader.integer("min_hours", defaults::rental_min_hours, hours_range);
    const IntField max_hours = reader.integer("max_hours", defaults::rental_max_hours, hours_range);
    if (min_hours.value > max_hours.value) {
        diagnostics.add(blame(min_hours, max_hours),
                        "rental.min_hours (" + std::to_string(min_hours.value) +
                            ") must not exceed rental.max_hours (" + std::to_string(max_hours.value) + ")");
    }
    const IntField cancel_window =
        reader.integer("cancel_window_s", defaults::rental_cancel_window_s, window_s_range);
    // The capture at the end of the cancel window must come before the end of any rental.
    if (cancel_window.value >= min_hours.value * 3600) {
        diagnostics.add(blame(cancel_window, min_hours),
                        "rental.cancel_window_s (" + std::to_string(cancel_window.value) +
                            ") must be shorter than the shortest rental, rental.min_hours (" +
                            std::to_string(min_hours.value) + " h)");
    }
    RentalConfig config;
    config.min_hours = min_hours.value;
    config.max_hours = max_hours.value;
    config.cancel_window_ms = cancel_window.value * ms_per_second;
    if (const auto price = reader.required_integer("price_per_day_minor", price_range)) {
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

void read_refund_reasons(const toml::node& node, const std::string& name, CaseRules& rules,
                         Diagnostics& diagnostics) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
        diagnostics.add(position_of(node.source()),
                        name + " must be an array of strings, not " + std::string(describe_type(node.type())));
        return;
    }
    if (array->empty()) {
        diagnostics.add(position_of(node.source()), name + " must list at least one reason");
        return;
    }
    if (array->size() > limits::refund_reasons_max) {
        diagnostics.add(position_of(node.source()),
                        name + " lists more than " + std::to_string(limits::refund_reasons_max) + " reasons");
        return;
    }
    std::vector<std::string> reasons;
    for (const toml::node& item : *array) {
        const auto* text = item.as_string();
        if (text == nullptr) {
            diagnostics.add(position_of(item.source()),
                            name + ": a reason must be a string, not " + std::string(describe_type(item.type())));
            continue;
        }
        const std::string& reason = text->get();
        if (!is_reason(reason)) {
            diagnostics.add(position_of(item.source()),
                            name + ": " + quoted(reason) + " is not a reason: 1 to 64 of a-z, 0-9 and '_'");
            continue;
        }
        if (std::find(reasons.begin(), reasons.end(), reason) != reasons.end()) {
            diagnostics.add(position_of(item.source()), name + ": " + quoted(reason) + " is listed twice");
            continue;
        }
        reasons.push_back(reason);
    }
    rules.refund_reasons = std::move(reasons);
}

void read_support(const toml::table& table, CaseRules& rules, Diagnostics& diagnostics) {
    TableReader reader(table, "support", diagnostics);
    if (const toml::node* reasons = reader.node("refund_reasons")) {
        read_refund_reasons(*reasons, reader.name_of("refund_reasons"), rules, diagnostics);
    }
    reader.refuse_unknown_keys();
}

void read_disputes(const toml::table& table, CaseRules& rules, Diagnostics& diagnostics) {
    TableReader reader(table, "disputes", diagnostics);
    rules.evidence_required_after = reader
                                        .integer("evidence_required_after", defaults::evidence_required_after,
                                                 IntRange{0, limits::evidence_required_after_max})
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
    toml::table document;
    try {
        document = toml::parse(std::string_view(toml_text), std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        diagnostics.add(position_of(error.source()), std::string(error.description()));
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    TableReader root(document, "", diagnostics);
    Config config;
    if (const toml::table* activation = root.table("activation", true)) {
        config.activation = read_activation(*activation, diagnostics);
    }
    if (const toml::table* rental = root.table("rental", true)) {
        config.rental = read_rental(*rental, diagnostics);
    }
    if (const toml::table* support = root.table("support", false)) {
        read_support(*support, config.cases, diagnostics);
    }
    if (const toml::table* disputes = root.table("disputes", false)) {
        read_disputes(*disputes, config.cases, diagnostics);
    }
    root.refuse_unknown_keys();
    if (!diagnostics.empty()) {
        return ParsedConfig{std::nullopt, diagnostics.text()};
    }
    return ParsedConfig{std::move(config), {}};
}

}  // namespace otpdesk
