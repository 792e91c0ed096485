// The line protocol between billing_crash_driver and the crash test, one line per write(2) on
// the driver's stdout (a line is far below PIPE_BUF, so a kill never leaves half a line):
//
//   READY
//   BEGIN <kind> <key> <args...>           before an operation is sent to the engine
//   ACK   <kind> <key> <results...>        after it returned success, i.e. committed
//   NACK  <kind> <key> <error code>        it returned an error: nothing was committed
//   DUP   <kind> <key>                     a retried key the database already holds
//   DRAINED <now_ms> <timers_left>         drain mode is done
//
// BEGIN lines carry everything needed to send the same operation again, so after a kill the
// test hands the last unanswered BEGIN back to the next driver (--retry) as a client would.
// A DUP carries the answer stored under the key when it was committed, word for word the
// results its ACK had (or would have had, when the kill came between the commit and the ACK).
//
// Every BEGIN names its tenant after the key: "live" (the crash-shop tenant on the driver's
// clock, whose timers the background sweeper runs) or "lab" (the crash-lab tenant in test mode,
// whose clock moves only by advance, which runs its due timers).
//
// kinds and their BEGIN args (after kind key tenant) / ACK results (after kind key):
//   deposit    <account> <amount>              / <account> <amount> <balance>
//   activation <account> <service> <country>   / <order> <price>
//   rental     <account> <hours>               / <order> <price>
//   cancel     <order>                         / <apply results>
//   message    <order> <service>               / <apply results>
//   extend     <order> <hours>                 / <apply results>
//   advance    <to_ms>  (lab only)             / <clock_ms> <timers applied> <driver clock at the ACK>
// apply results: <order> <allowed 0|1> <code> <version> <state> <refunded> <charged>, the last
// two what the decision refunded and what the order has been charged in all after it.
#pragma once

#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace billing::crash {

namespace kind {
inline constexpr const char* deposit = "deposit";
inline constexpr const char* activation = "activation";
inline constexpr const char* rental = "rental";
inline constexpr const char* cancel = "cancel";
inline constexpr const char* message = "message";
inline constexpr const char* extend = "extend";
inline constexpr const char* advance = "advance";
}  // namespace kind

namespace tenant_tag {
inline constexpr const char* live = "live";
inline constexpr const char* lab = "lab";
}  // namespace tenant_tag

// The tenants the drivers work on, by name (the tag above is what BEGIN lines carry).
inline constexpr const char* live_tenant_name = "crash-shop";
inline constexpr const char* lab_tenant_name = "crash-lab";

// The customer accounts set-up creates, each with one first deposit (key "d-setup-<ref>") of an
// amount below any later deposit's (run * 1000 + n, run >= 1), so every deposit's amount
// identifies its transfer.
struct SetUpAccount {
    const char* tenant_tag;
    const char* external_ref;
    std::int64_t deposit_minor;
};
inline constexpr std::array<SetUpAccount, 5> set_up_accounts = {{
    {tenant_tag::live, "cust-1", 901},
    {tenant_tag::live, "cust-2", 902},
    {tenant_tag::live, "cust-3", 903},
    {tenant_tag::lab, "lab-1", 911},
    {tenant_tag::lab, "lab-2", 912},
}};

// How far the drain run jumps simulated time: past the longest rental (1344 h = 56 days) that
// any run may have sold. Events written before the jump came from the runs that were killed.
inline constexpr std::int64_t drain_jump_ms = 60LL * 24 * 3600 * 1000;

// Every idempotency key starts with a letter of its kind and a dash ("a-r3-n17"), so that the
// test can count the keys of one kind with LIKE 'a-%'. An advance stores no key (a test clock
// advance to a time is idempotent by itself); its prefix only names it in the journal.
inline std::string key_prefix(const std::string& op_kind) {
    if (op_kind == kind::advance) return "t-";
    return op_kind.substr(0, 1) + "-";
}

// Words separated by single spaces; no field ever contains a space.
inline std::vector<std::string> split_words(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string word; in >> word;) {
        words.push_back(word);
    }
    return words;
}

}  // namespace billing::crash
