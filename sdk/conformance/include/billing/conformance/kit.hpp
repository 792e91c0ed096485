// The conformance kit: what a policy plugin must do before a billing host may load it.
//
// The kit drives a policy the way the host does (quote, then decide events on the order the
// host would keep, with a manual clock) and holds every answer to the host's own rules
// (billing/rules/decision_check.hpp) and to the contract in billing/sdk/policy.hpp:
//
//   identity      info() is well formed, stable, and matches the descriptor
//   configure     garbage configuration is refused with a located message, never a crash,
//                 and a refusal leaves the object as it was
//   quotes        invalid purchases are refused cleanly; terms and timers of a sale are sane
//   reachable     every event type in every reachable state gives a valid decision: declared
//                 states only, no refund beyond what is left, no timer in the past
//   determinism   the same input gives the same decision, call after call and object after object
//   terms_pinned  reconfiguring does not change decisions on orders already sold
//   robustness    unknown events, garbage attributes, extreme times and amounts give a clean
//                 denial (or a valid decision), never an exception
//   extremes      configured at the ends of its ranges (the declaration's [[extreme]]), its
//                 sales and decisions from the host's latest now stay within the host's bounds
//   simulation    a seeded random run of many order lives (in the spirit of TigerBeetle's VOPR):
//                 money conserved, escrow settled at the end of each order, the plugin's own
//                 declared properties hold; a failure prints its seed, and the seed replays it
//
// Two ways to run it: the runner `billing-plugin-conformance --plugin X.so --config Y.toml`,
// which loads the file through the host's real loader, or the GoogleTest suite in
// billing/conformance/gtest.hpp, which a plugin's own tests instantiate.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "billing/conformance/declaration.hpp"
#include "billing/sdk/export.hpp"
#include "billing/sdk/policy.hpp"

namespace billing::conformance {

// Makes a fresh, NOT yet configured policy object each call. Plugins exported with
// BILLING_EXPORT_POLICY are wrapped in sdk::GuardedPolicy; guarded_factory<Impl>() does the
// same for a test that builds the class directly, so both ways see the same behaviour.
using PolicyFactory = std::function<std::shared_ptr<sdk::Policy>()>;

template <class Impl>
PolicyFactory guarded_factory() {
    return [] { return std::shared_ptr<sdk::Policy>(std::make_shared<sdk::GuardedPolicy<Impl>>()); };
}

// What the plugin file says about itself, when the subject was loaded from one.
struct Descriptor {
    std::string name;
    std::string version;
    std::uint32_t abi_major = 0;
    std::uint32_t abi_minor = 0;
    std::string build_key;
    std::string file;
    std::string sha256;
};

// The policy under test.
struct Subject {
    std::string label;  // for messages, e.g. "otpdesk 1.0.0"
    PolicyFactory make;
    Config config;  // the configuration it is tested with (must be accepted)
    Declaration declaration;
    std::optional<Descriptor> descriptor;
};

// A subject from files, the usual way a plugin's own test builds one: its configuration and its
// declaration (declaration.hpp) read and parsed. Throws std::runtime_error naming the file (and
// line:col for a bad declaration) when either cannot be used.
Subject subject_from_files(std::string label, PolicyFactory make, const std::string& config_path,
                           const std::string& declaration_path);

struct Options {
    std::uint64_t seed = 1;
    std::int64_t orders = 2000;  // order lives in the simulation
};

// One broken rule. `fault` is a stable name ("refund_exceeds_held", "nondeterministic_decision",
// "property_violated", "threw", ...); `message` says where and how, with the input that broke it.
struct Finding {
    std::string check;  // identity, configure, quotes, reachable, determinism, terms_pinned, robustness, extremes,
                        // simulation
    std::string fault;
    std::string message;
};

struct Report {
    std::vector<Finding> failures;
    // What was covered and what was not (a check that could not run says so here and in
    // `skipped`; it is never counted as passed).
    std::vector<std::string> notes;
    std::vector<std::string> skipped;
    std::int64_t decisions_checked = 0;

    [[nodiscard]] bool passed() const { return failures.empty(); }
    // Failures first ("FAIL [check] fault: message"), then skips and notes.
    [[nodiscard]] std::string text() const;
    void merge(const Report& other);
};

// Each check alone (the GoogleTest suite runs one per test)...
Report check_identity(const Subject& subject);
Report check_configure(const Subject& subject);
Report check_quotes(const Subject& subject);
Report check_reachable(const Subject& subject);
Report check_determinism(const Subject& subject);
Report check_terms_pinned(const Subject& subject);
Report check_robustness(const Subject& subject);
Report check_extremes(const Subject& subject);
Report simulate(const Subject& subject, const Options& options);

// ...or all of them in order. Stops after identity or configure fail: nothing after them can
// be trusted on an object that cannot be made or configured.
// `progress` (may be empty) is told the name of each check as it starts, so that a runner
// watching from another process can say where a crash happened.
Report run_all(const Subject& subject, const Options& options,
               const std::function<void(const std::string& check)>& progress = {});

}  // namespace billing::conformance
