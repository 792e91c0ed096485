// The declaration file (declaration.hpp) and the property kinds it can name.
#include "billing/conformance/declaration.hpp"

#include <stdexcept>

#include "billing/conformance/kit.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

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
            sdk::event_type::cancel,         sdk::event_type::message,          sdk::event_type::timer,
            sdk::event_type::support_refund, sdk::event_type::dispute_opened,   sdk::event_type::dispute_resolved,
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

// Errors as "source:line:col: message"; the first one wins.
class Reader {
public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    void error(const toml::node& at, const std::string& message) {
        if (!error_.empty()) return;
        std::ostringstream out;
        out << source_ << ':' << at.source().begin.line << ':' << at.source().begin.column << ": " << message;
        error_ = out.str();
    }
    [[nodiscard]] const std::string& first_error() const { return error_; }

    // Unknown keys are refused, as in every configuration of this project.
    void only(const toml::table& table, std::initializer_list<const char*> keys, const std::string& where) {
        for (const auto& [key, node] : table) {
            if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key.str() == k; })) {
                error(node, where + ": unknown key '" + std::string(key.str()) + "'");
            }
        }
    }

    std::string string(const toml::table& table, const char* key, const std::string& where, bool required = true) {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            if (required) error(table, where + ": '" + key + "' is required");
            return {};
        }
        if (!node->is_string() || node->value<std::string>()->empty()) {
            error(*node, where + "." + key + ": expected a non-empty string");
            return {};
        }
        return *node->value<std::string>();
    }

    std::vector<std::string> strings(const toml::table& table, const char* key, const std::string& where) {
        std::vector<std::string> out;
        const toml::node* node = table.get(key);
        if (node == nullptr) return out;
        const toml::array* array = node->as_array();
        if (array == nullptr) {
            error(*node, where + "." + key + ": expected an array of strings");
            return out;
        }
        for (const toml::node& item : *array) {
            if (!item.is_string()) {
                error(item, where + "." + key + ": expected a string");
                continue;
            }
            out.push_back(*item.value<std::string>());
        }
        return out;
    }

    template <class Map, class Convert>
    Map map(const toml::table& table, const char* key, const std::string& where, Convert convert) {
        Map out;
        const toml::node* node = table.get(key);
        if (node == nullptr) return out;
        const toml::table* inner = node->as_table();
        if (inner == nullptr) {
            error(*node, where + "." + key + ": expected a table");
            return out;
        }
        for (const auto& [name, value] : *inner) {
            auto converted = convert(value);
            if (!converted) {
                error(value, where + "." + key + "." + std::string(name.str()) + ": wrong type");
                continue;
            }
            out[std::string(name.str())] = *converted;
        }
        return out;
    }

private:
    std::string source_;
    std::string error_;
};

const toml::array* array_of_tables(Reader& reader, const toml::table& root, const char* key) {
    const toml::node* node = root.get(key);
    if (node == nullptr) return nullptr;
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
        reader.error(*node, std::string(key) + ": expected [[" + key + "]] tables");
        return nullptr;
    }
    return array;
}

std::vector<SamplePurchase> read_purchases(Reader& reader, const toml::table& root, const char* key,
                                           const std::string& source_path) {
    std::vector<SamplePurchase> out;
    const toml::array* purchases = array_of_tables(reader, root, key);
    if (purchases == nullptr) return out;
    for (const toml::node& node : *purchases) {
        const toml::table& t = *node.as_table();
        reader.only(t, {"product", "attributes", "numbers"}, "[[purchase]]");
        SamplePurchase sample;
        sample.request.product = reader.string(t, "product", "[[purchase]]");
        sample.request.attributes = reader.map<sdk::Attributes>(
            t, "attributes", "[[purchase]]", [](const toml::node& v) { return v.value<std::string>(); });
        sample.request.numbers = reader.map<sdk::Numbers>(t, "numbers", "[[purchase]]", [](const toml::node& v) {
            return v.is_integer() ? v.value<std::int64_t>() : std::nullopt;
        });
        std::ostringstream where;
        where << source_path << ':' << t.source().begin.line << ':' << t.source().begin.column;
        sample.where = where.str();
        out.push_back(std::move(sample));
    }
    return out;
}

// The configuration a table's `file` names, relative to the declaration's folder.
std::optional<Config> read_config_file(Reader& reader, const toml::table& t, const std::string& where,
                                       const std::string& source_path) {
    const std::string file = reader.string(t, "file", where);
    if (file.empty()) return std::nullopt;
    const std::string path = (std::filesystem::path(source_path).parent_path() / file).string();
    auto text = read_text_file(path);
    if (!text) {
        reader.error(*t.get("file"), where + ".file: cannot read " + path);
        return std::nullopt;
    }
    return Config{*text, path};
}

}  // namespace

std::shared_ptr<const Property> no_refund_after_event(std::string name, std::string product, std::string event_type,
                                                      std::vector<std::string> actors) {
    return std::make_shared<NoRefundAfterEvent>(std::move(name), std::move(product), std::move(event_type),
                                                std::move(actors));
}

std::shared_ptr<const Property> no_refund_after_term(std::string name, std::string product, std::string term,
                                                     std::vector<std::string> actors) {
    return std::make_shared<NoRefundAfterTerm>(std::move(name), std::move(product), std::move(term),
                                               std::move(actors));
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
    Reader reader(source_path);
    toml::table root;
    try {
        root = toml::parse(toml_text, source_path);
    } catch (const toml::parse_error& e) {
        std::ostringstream out;
        out << source_path << ':' << e.source().begin.line << ':' << e.source().begin.column
            << ": syntax error: " << e.description();
        return {std::nullopt, out.str()};
    }
    reader.only(root, {"purchase", "reconfigure", "property", "extreme"}, "declaration");
    Declaration declaration;
    declaration.purchases = read_purchases(reader, root, "purchase", source_path);
    if (const toml::array* configs = array_of_tables(reader, root, "reconfigure")) {
        for (const toml::node& node : *configs) {
            const toml::table& t = *node.as_table();
            reader.only(t, {"file"}, "[[reconfigure]]");
            if (auto config = read_config_file(reader, t, "[[reconfigure]]", source_path)) {
                declaration.reconfigure.push_back(std::move(*config));
            }
        }
    }
    if (const toml::array* extremes = array_of_tables(reader, root, "extreme")) {
        for (const toml::node& node : *extremes) {
            const toml::table& t = *node.as_table();
            reader.only(t, {"file", "purchase"}, "[[extreme]]");
            auto config = read_config_file(reader, t, "[[extreme]]", source_path);
            if (!config) continue;
            declaration.extremes.push_back({std::move(*config), read_purchases(reader, t, "purchase", source_path)});
        }
    }
    if (const toml::array* properties = array_of_tables(reader, root, "property")) {
        for (const toml::node& node : *properties) {
            const toml::table& t = *node.as_table();
            const std::string where = "[[property]]";
            const std::string kind = reader.string(t, "kind", where);
            const std::string name = reader.string(t, "name", where);
            const std::string product = reader.string(t, "product", where);
            const std::vector<std::string> actors = reader.strings(t, "actors", where);
            if (kind == "no_refund_after_event") {
                reader.only(t, {"kind", "name", "product", "event", "actors"}, where);
                declaration.properties.push_back(
                    no_refund_after_event(name, product, reader.string(t, "event", where), actors));
            } else if (kind == "no_refund_after_term") {
                reader.only(t, {"kind", "name", "product", "term", "actors"}, where);
                declaration.properties.push_back(
                    no_refund_after_term(name, product, reader.string(t, "term", where), actors));
            } else if (!kind.empty()) {
                reader.error(*t.get("kind"), where + ".kind: unknown kind '" + kind +
                                                 "' (no_refund_after_event or no_refund_after_term)");
            }
        }
    }
    if (!reader.first_error().empty()) return {std::nullopt, reader.first_error()};
    return {std::move(declaration), {}};
}

}  // namespace billing::conformance
