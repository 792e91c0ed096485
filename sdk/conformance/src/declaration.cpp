// The declaration file (declaration.hpp), read with the SDK's TOML reader, and the property
// kinds it can name.
#include "billing/conformance/declaration.hpp"

#include <stdexcept>

#include "billing/conformance/kit.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include <billing/toml/reader.hpp>

namespace billing::conformance {

namespace {

bool is_refund(const sdk::MoneyMove& move) {
    return move.kind == sdk::MoveKind::refund || move.kind == sdk::MoveKind::refund_captured;
}

bool refunds(const sdk::Decision& decision) {
    return decision.allowed && std::any_of(decision.moves.begin(), decision.moves.end(), is_refund);
}

bool covers(const std::vector<std::string>& actors, const std::string& actor) {
    return actors.empty() || std::find(actors.begin(), actors.end(), actor) != actors.end();
}

// The actors the host's routes and sweeper use (routes_orders.cpp, sweeper).
const std::vector<std::string> known_actors = {"customer", "provider", "support", "system"};

std::optional<std::string> misdeclared_common(const std::string& product, const std::vector<std::string>& actors,
                                              const sdk::PolicyInfo& info,
                                              const std::map<std::string, sdk::Numbers>& terms) {
    if (std::none_of(info.products.begin(), info.products.end(),
                     [&](const sdk::ProductInfo& p) { return p.name == product; })) {
        return "the policy declares no product " + product;
    }
    if (terms.count(product) == 0) return "no declared purchase of " + product + " was accepted to check it on";
    for (const std::string& actor : actors) {
        if (std::find(known_actors.begin(), known_actors.end(), actor) == known_actors.end()) {
            return "actor " + actor + " is none of customer, provider, support, system";
        }
    }
    return std::nullopt;
}

class NoRefundAfterEvent final : public Property {
public:
    NoRefundAfterEvent(std::string name, std::string product, std::string event_type, std::vector<std::string> actors)
        : name_(std::move(name)), product_(std::move(product)), event_type_(std::move(event_type)),
          actors_(std::move(actors)) {}
    const std::string& name() const override { return name_; }
    std::optional<std::string> violated_by(const Step& step) const override {
        if (step.before.product != product_ || !covers(actors_, step.event.actor) || !refunds(step.decision)) {
            return std::nullopt;
        }
        const auto& history = step.allowed_history;
        if (std::find(history.begin(), history.end(), event_type_) == history.end()) return std::nullopt;
        return "a " + step.event.type + " by " + step.event.actor + " refunds an order after a " + event_type_ +
               " was allowed on it";
    }
    std::optional<std::string> misdeclared(const sdk::PolicyInfo& info,
                                           const std::map<std::string, sdk::Numbers>& terms) const override {
        static const std::vector<std::string> events = {
            sdk::event_type::cancel,         sdk::event_type::message,        sdk::event_type::timer,
            sdk::event_type::support_refund, sdk::event_type::dispute_opened, sdk::event_type::dispute_resolved,
            sdk::event_type::extend};
        if (std::find(events.begin(), events.end(), event_type_) == events.end()) {
            return "event " + event_type_ + " is not an event type the host sends";
        }
        return misdeclared_common(product_, actors_, info, terms);
    }

private:
    std::string name_, product_, event_type_;
    std::vector<std::string> actors_;
};

class NoRefundAfterTerm final : public Property {
public:
    NoRefundAfterTerm(std::string name, std::string product, std::string term, std::vector<std::string> actors)
        : name_(std::move(name)), product_(std::move(product)), term_(std::move(term)), actors_(std::move(actors)) {}
    const std::string& name() const override { return name_; }
    std::optional<std::string> violated_by(const Step& step) const override {
        if (step.before.product != product_ || !covers(actors_, step.event.actor) || !refunds(step.decision)) {
            return std::nullopt;
        }
        const auto window = step.before.terms.find(term_);
        if (window == step.before.terms.end()) return "the order has no term " + term_ + " to measure the window by";
        // Times come from the policy's own timers and may sit at the ends of the range: an
        // elapsed time that does not fit in 64 bits is beyond any window (or before the purchase).
        sdk::UtcMs elapsed = 0;
        if (__builtin_sub_overflow(step.context.now_ms, step.before.created_at_ms, &elapsed)) {
            if (step.context.now_ms < step.before.created_at_ms) return std::nullopt;
            elapsed = std::numeric_limits<sdk::UtcMs>::max();
        }
        if (elapsed < window->second) return std::nullopt;
        return "a " + step.event.type + " by " + step.event.actor + " refunds " + std::to_string(elapsed) +
               " ms after the purchase, at or after its " + term_ + " of " + std::to_string(window->second) + " ms";
    }
    std::optional<std::string> misdeclared(const sdk::PolicyInfo& info,
                                           const std::map<std::string, sdk::Numbers>& terms) const override {
        if (auto common = misdeclared_common(product_, actors_, info, terms)) return common;
        if (terms.at(product_).count(term_) == 0) return "orders of " + product_ + " have no term " + term_;
        return std::nullopt;
    }

private:
    std::string name_, product_, term_;
    std::vector<std::string> actors_;
};

using toml_reader::Diagnostics;
using toml_reader::TableReader;

// Names and paths in a declaration: a bound only so that a message can print it (PATH_MAX).
constexpr std::size_t name_bytes_max = 4096;

// A non-empty string; "" when absent (an error if required) or invalid.
std::string read_string(TableReader& reader, std::string_view key, bool required = true) {
    std::string out;
    if (required && !reader.require(key)) return out;
    reader.string(key, out, name_bytes_max);
    return out;
}

// A table of scalars of one kind, e.g. attributes = { service = "telegram" }.
template <class Map, class Convert>
Map read_map(TableReader& reader, std::string_view key, std::string_view expected, Convert convert,
             Diagnostics& diagnostics) {
    Map out;
    const toml::table* inner = reader.table(key);
    if (inner == nullptr) return out;
    for (const auto& [name, value] : *inner) {
        auto converted = convert(value);
        if (!converted) {
            diagnostics.add(toml_reader::position_of(value), reader.key_path(key) + "." + std::string(name.str()),
                            "expected " + std::string(expected) + ", got " + std::string(toml_reader::describe(value)));
            continue;
        }
        out[std::string(name.str())] = *converted;
    }
    return out;
}

// The tables of an array of tables ([[key]]), each with its path "key[i]"; empty when absent or
// (reported) not an array of tables.
std::vector<std::pair<const toml::table*, std::string>> tables_of(TableReader& reader, std::string_view key,
                                                                  Diagnostics& diagnostics) {
    std::vector<std::pair<const toml::table*, std::string>> out;
    const std::string expected = "an array of tables ([[" + reader.key_path(key) + "]])";
    const toml::array* array = reader.array(key, expected);
    if (array == nullptr) return out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& node = *array->get(i);
        const std::string path = reader.key_path(key) + "[" + std::to_string(i) + "]";
        if (const toml::table* table = node.as_table()) {
            out.emplace_back(table, path);
        } else {
            diagnostics.add(toml_reader::position_of(node), path,
                            "expected a table (" + expected + "), got " + std::string(toml_reader::describe(node)));
        }
    }
    return out;
}

std::vector<SamplePurchase> read_purchases(TableReader& parent, std::string_view key, Diagnostics& diagnostics) {
    std::vector<SamplePurchase> out;
    for (const auto& [table, path] : tables_of(parent, key, diagnostics)) {
        TableReader reader(*table, path, diagnostics);
        SamplePurchase sample;
        sample.request.product = read_string(reader, "product");
        sample.request.attributes = read_map<sdk::Attributes>(
            reader, "attributes", "a string", [](const toml::node& v) { return v.value<std::string>(); }, diagnostics);
        sample.request.numbers = read_map<sdk::Numbers>(
            reader, "numbers", "an integer",
            [](const toml::node& v) { return v.is_integer() ? v.value<std::int64_t>() : std::nullopt; }, diagnostics);
        reader.refuse_unknown_keys();
        const toml::source_position at = toml_reader::position_of(*table);
        sample.where = diagnostics.source_name() + ':' + std::to_string(at.line) + ':' + std::to_string(at.column);
        out.push_back(std::move(sample));
    }
    return out;
}

// The configuration a table's `file` names, relative to the declaration's folder.
std::optional<Config> read_config_file(TableReader& reader, Diagnostics& diagnostics) {
    const std::string file = read_string(reader, "file");
    if (file.empty()) return std::nullopt;
    const std::string path = (std::filesystem::path(diagnostics.source_name()).parent_path() / file).string();
    auto text = read_text_file(path);
    if (!text) {
        reader.report("file", *reader.node("file"), "cannot read " + path);
        return std::nullopt;
    }
    return Config{*text, path};
}

std::shared_ptr<const Property> read_property(TableReader& reader) {
    const std::string kind = read_string(reader, "kind");
    const std::string name = read_string(reader, "name");
    const std::string product = read_string(reader, "product");
    std::vector<std::string> actors;
    if (auto listed = reader.strings("actors", [](const toml::node&, const std::string&) { return true; })) {
        actors = std::move(*listed);
    }
    std::shared_ptr<const Property> property;
    if (kind == "no_refund_after_event") {
        property = no_refund_after_event(name, product, read_string(reader, "event"), actors);
    } else if (kind == "no_refund_after_term") {
        property = no_refund_after_term(name, product, read_string(reader, "term"), actors);
    } else if (!kind.empty()) {
        reader.report("kind", *reader.node("kind"),
                      "\"" + kind + "\" is not allowed; allowed values: no_refund_after_event|no_refund_after_term");
    }
    reader.refuse_unknown_keys();
    return property;
}

}  // namespace

std::shared_ptr<const Property> no_refund_after_event(std::string name, std::string product, std::string event_type,
                                                      std::vector<std::string> actors) {
    return std::make_shared<NoRefundAfterEvent>(std::move(name), std::move(product), std::move(event_type),
                                                std::move(actors));
}

std::shared_ptr<const Property> no_refund_after_term(std::string name, std::string product, std::string term,
                                                     std::vector<std::string> actors) {
    return std::make_shared<NoRefundAfterTerm>(std::move(name), std::move(product), std::move(term), std::move(actors));
}

Subject subject_from_files(std::string label, PolicyFactory make, const std::string& config_path,
                           const std::string& declaration_path) {
    const auto config = read_text_file(config_path);
    if (!config) throw std::runtime_error("cannot read the configuration " + config_path);
    const auto declaration = read_text_file(declaration_path);
    if (!declaration) throw std::runtime_error("cannot read the declaration " + declaration_path);
    DeclarationResult parsed = parse_declaration(*declaration, declaration_path);
    if (!parsed.declaration) throw std::runtime_error(parsed.error);
    Subject subject;
    subject.label = std::move(label);
    subject.make = std::move(make);
    subject.config = {*config, config_path};
    subject.declaration = std::move(*parsed.declaration);
    return subject;
}

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

DeclarationResult parse_declaration(const std::string& toml_text, const std::string& source_path) {
    Diagnostics diagnostics(source_path);
    const std::optional<toml::table> root = toml_reader::parse(toml_text, diagnostics);
    if (!root) return {std::nullopt, diagnostics.text()};
    TableReader reader(*root, "", diagnostics);
    Declaration declaration;
    declaration.purchases = read_purchases(reader, "purchase", diagnostics);
    for (const auto& [table, path] : tables_of(reader, "reconfigure", diagnostics)) {
        TableReader inner(*table, path, diagnostics);
        if (auto config = read_config_file(inner, diagnostics)) declaration.reconfigure.push_back(std::move(*config));
        inner.refuse_unknown_keys();
    }
    for (const auto& [table, path] : tables_of(reader, "extreme", diagnostics)) {
        TableReader inner(*table, path, diagnostics);
        auto config = read_config_file(inner, diagnostics);
        auto purchases = read_purchases(inner, "purchase", diagnostics);
        inner.refuse_unknown_keys();
        if (config) declaration.extremes.push_back({std::move(*config), std::move(purchases)});
    }
    for (const auto& [table, path] : tables_of(reader, "property", diagnostics)) {
        TableReader inner(*table, path, diagnostics);
        if (auto property = read_property(inner)) declaration.properties.push_back(std::move(property));
    }
    reader.refuse_unknown_keys();
    if (!diagnostics.empty()) return {std::nullopt, diagnostics.text()};
    return {std::move(declaration), {}};
}

}  // namespace billing::conformance
