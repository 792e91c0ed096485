// The interface a policy plugin implements.
//
// A policy is a pure decision function (DESIGN §3): it never touches the database, the clock,
// threads, files or the network. The host passes everything in and applies the answer itself,
// after checking it. That is what makes a hot swap safe and every storage backend behave alike.
#pragma once

#include <string>

#include "billing/sdk/types.hpp"

namespace billing::sdk {

class Policy {
public:
    virtual ~Policy() = default;

    // Name, version, products with their attributes, states and outcomes. Called once after
    // creation; the host checks that the name and version match the plugin's descriptor.
    [[nodiscard]] virtual PolicyInfo info() const = 0;

    // Takes the policy's own configuration (a TOML document as text; source_name is the file
    // it came from, for messages). Validates all of it: unknown keys, wrong types and values
    // out of range are refused with a message naming line:col, and a refused configuration
    // leaves the object as it was. Called before the object is published, never concurrently
    // with the methods below.
    virtual ConfigResult configure(const std::string& toml_text, const std::string& source_name) = 0;

    // Validates a purchase at `now_ms` and returns its price, the terms to pin on the order, its
    // first state and its first timers, or a refusal with a stable code.
    [[nodiscard]] virtual Quote quote(const PurchaseRequest& request, const Context& context) const = 0;

    // Decides one event on one order. Must decide by `order.terms` (pinned at purchase), never
    // by the current configuration, and must return the same Decision for the same input.
    [[nodiscard]] virtual Decision decide(const OrderView& order, const Event& event, const Context& context) const = 0;

    // quote() and decide() are const and are called concurrently from many threads: they must
    // not modify shared state.
};

}  // namespace billing::sdk
