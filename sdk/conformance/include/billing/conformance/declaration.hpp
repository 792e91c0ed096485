// What a plugin declares to the conformance kit beyond its info(): sample purchases to drive
// orders with, other configurations to reconfigure to, and the properties its own rules promise.
//
// Written by the plugin's author next to the plugin, as TOML (see sdk/README.md, "Declaring
// properties"), or built in C++ by a test:
//
//     [[purchase]]                  # a purchase the policy should accept
//     product = "activation"
//     attributes = { service = "telegram", country = "us" }
//
//     [[reconfigure]]               # another valid configuration (path relative to this file)
//     file = "otpdesk-longer-windows.toml"
//
//     [[extreme]]                   # a configuration at the ends of its ranges...
//     file = "otpdesk-extreme.toml"
//     [[extreme.purchase]]          # ...and the purchases that reach them
//     product = "rental"
//     numbers = { duration_hours = 24000 }
//
//     [[property]]
//     name = "no customer refund after a delivered code"
//     kind = "no_refund_after_event"  # or "no_refund_after_term"
//     product = "activation"
//     event = "message"               # once an event of this type was allowed on the order...
//     actors = ["customer", "system"] # ...no decision caused by these actors refunds anything
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "billing/sdk/types.hpp"

namespace billing::conformance {

// A configuration document and where it came from (for messages: file:line:col).
struct Config {
    std::string text;
    std::string source;
};

// One step of an order's life as the kit drove it, for a property to judge.
struct Step {
    const sdk::OrderView& before;  // the order as the policy saw it
    const sdk::Event& event;
    const sdk::Context& context;
    const sdk::Decision& decision;  // allowed or not
    // Types of the events allowed on this order before this one, oldest first ("purchase" first).
    const std::vector<std::string>& allowed_history;
};

// A rule a plugin promises about its own decisions. The kit asks every step it drives.
class Property {
public:
    virtual ~Property() = default;
    [[nodiscard]] virtual const std::string& name() const = 0;
    // Why the step breaks the property, or nullopt when it holds.
    [[nodiscard]] virtual std::optional<std::string> violated_by(const Step& step) const = 0;
    // Why the property cannot mean what it says for this policy (a product it does not sell, a
    // term its orders do not have: such a property would hold trivially), or nullopt.
    // `terms` holds the pinned terms of an accepted sale per product.
    [[nodiscard]] virtual std::optional<std::string> misdeclared(
        const sdk::PolicyInfo& info, const std::map<std::string, sdk::Numbers>& terms) const {
        (void)info;
        (void)terms;
        return std::nullopt;
    }
};

// The two kinds a declaration file can spell. `actors` empty: every actor.
// No refund (refund or refund_captured move) on an order of `product` by a decision caused by
// one of `actors`, once an event of type `event_type` was allowed on it.
std::shared_ptr<const Property> no_refund_after_event(std::string name, std::string product, std::string event_type,
                                                      std::vector<std::string> actors);
// No refund on an order of `product` by a decision caused by one of `actors` at or after
// created_at + terms[term] (the order's own pinned window).
std::shared_ptr<const Property> no_refund_after_term(std::string name, std::string product, std::string term,
                                                     std::vector<std::string> actors);

struct SamplePurchase {
    sdk::PurchaseRequest request;
    std::string where;  // file:line:col of its declaration, for messages
};

// A configuration at the ends of the policy's documented ranges (the largest prices, the
// longest windows), with the purchases that reach them (the longest rental at that config).
// The kit's `extremes` check configures it (it must be accepted), quotes each purchase at the
// host's first and latest now (sdk::now_ms_max) and drives the orders from there, holding every
// answer to the host's bounds on money and time: a policy whose ranges let an operator price or
// time a sale past them fails here, not in a tenant's 500.
struct Extreme {
    Config config;
    std::vector<SamplePurchase> purchases;  // empty: the declaration's own [[purchase]]s
};

struct Declaration {
    std::vector<SamplePurchase> purchases;  // empty: the kit derives purchases from info()
    std::vector<Config> reconfigure;        // empty: terms_pinned is skipped, and says so
    std::vector<std::shared_ptr<const Property>> properties;
    std::vector<Extreme> extremes;  // empty: extremes is skipped, and says so
};

// The declaration in a TOML document, or a message "source:line:col: what is wrong". Unknown
// keys and kinds are refused like in any configuration. `read_file` reads files named by
// [[reconfigure]] (relative to the declaration's folder, resolved by the caller's reader).
struct DeclarationResult {
    std::optional<Declaration> declaration;
    std::string error;
};
DeclarationResult parse_declaration(const std::string& toml_text, const std::string& source_path);

// Reads a whole file; nullopt when it cannot.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace billing::conformance
