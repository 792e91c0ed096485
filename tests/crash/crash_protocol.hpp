// The line protocol between billing_crash_driver and the crash test, one line per write(2) on
// the driver's stdout (a line is far below PIPE_BUF, so neither a kill nor the driver's other
// writer threads ever leave or interleave half a line):
//
//   READY
//   BEGIN <kind> <key> <args...>           before an operation is sent to the engine
//   ACK   <kind> <key> <results...>        after it returned success, i.e. committed
//   NACK  <kind> <key> <error code>        it returned an error: nothing was committed
//   DUP   <kind> <key>                     a retried key the database already holds
//   STATS <batches> <batched_writes> <batches_failed> <writes_alone>
//                                          storage::Database::write_stats() since the driver
//                                          opened the database: every few answers, and last
//                                          before DONE and DRAINED
//   DRAINED <now_ms> <timers_left>         drain mode is done
//
// The driver sends operations from several writer threads at once (--writers), so that group
// commit puts writes of several writers in one batch and kills land in the middle of batches.
// Each writer sends one operation at a time and works on accounts of its own (set_up_accounts),
// so the orders and balances it touches are its alone, and the answers stay unambiguous. Its
// keys name it (writer_of); at most one operation per writer is unanswered at a time.
//
// BEGIN lines carry everything needed to send the same operation again, so after a kill the
// test hands every unanswered BEGIN back to the next driver (--retry, once per writer), as a
// client would; the writer the key names sends it before anything new.
// A DUP carries the answer stored under the key when it was committed, word for word the
// results its ACK had (or would have had, when the kill came between the commit and the ACK).
//
// Every BEGIN names its tenant after the key: "live" (the crash-shop tenant on the driver's
// clock, whose timers the background sweeper runs) or "lab" (the crash-lab tenant in test mode,
// whose clock moves only by advance, which runs its due timers). A driver sends one lab
// operation at a time, and only writer 0 advances the lab clock (driver_ops.cpp says why).
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

// How many writer threads a driver may run: set-up creates the accounts of this many, whatever
// --writers says, so that every driver of a test finds the same world.
inline constexpr int writers_max = 4;
static_assert(writers_max <= 10, "keys carry the writer as one digit (writer_of)");

// The customer accounts set-up creates, each writer's own (its external_ref starts with
// "w<writer>-"), each with one first deposit (key "d-setup-<ref>") of an amount below any later
// deposit's (run * 10000 + writer * 1000 + n, run >= 1: deposit_minor()), so every deposit's
// amount identifies its transfer.
struct SetUpAccount {
    int writer;
    const char* tenant_tag;
    const char* external_ref;
    std::int64_t deposit_minor;
};
inline constexpr std::array<SetUpAccount, 3 * writers_max> set_up_accounts = {{
    {0, tenant_tag::live, "w0-cust-1", 901},
    {0, tenant_tag::live, "w0-cust-2", 902},
    {0, tenant_tag::lab, "w0-lab-1", 903},
    {1, tenant_tag::live, "w1-cust-1", 911},
    {1, tenant_tag::live, "w1-cust-2", 912},
    {1, tenant_tag::lab, "w1-lab-1", 913},
    {2, tenant_tag::live, "w2-cust-1", 921},
    {2, tenant_tag::live, "w2-cust-2", 922},
    {2, tenant_tag::lab, "w2-lab-1", 923},
    {3, tenant_tag::live, "w3-cust-1", 931},
    {3, tenant_tag::live, "w3-cust-2", 932},
    {3, tenant_tag::lab, "w3-lab-1", 933},
}};

// The amount of operation n (< 1000) of a writer in a run: unique across the whole test.
inline std::int64_t deposit_minor(int run, int writer, int n) {
    return static_cast<std::int64_t>(run) * 10'000 + writer * 1000 + n;
}

// How far the drain run jumps simulated time: past the longest rental (1344 h = 56 days) that
// any run may have sold. Events written before the jump came from the runs that were killed.
inline constexpr std::int64_t drain_jump_ms = 60LL * 24 * 3600 * 1000;

// Every idempotency key starts with a letter of its kind and a dash, and names its run, writer
// and operation ("a-r3-w1-n17"), so that the test can count the keys of one kind with LIKE 'a-%'
// and knows which writer sent it. An advance stores no key (a test clock advance to a time is
// idempotent by itself); its key only names it in the journal.
inline std::string key_prefix(const std::string& op_kind) {
    if (op_kind == kind::advance) return "t-";
    return op_kind.substr(0, 1) + "-";
}

inline std::string op_key(const std::string& op_kind, int run, int writer, int n) {
    return key_prefix(op_kind) + "r" + std::to_string(run) + "-w" + std::to_string(writer) + "-n" + std::to_string(n);
}

// The writer an operation's key names, or -1 for a key that names none.
inline int writer_of(const std::string& key) {
    const std::size_t at = key.find("-w");
    if (at == std::string::npos || at + 3 >= key.size() || key[at + 3] != '-') return -1;
    const char digit = key[at + 2];
    return digit >= '0' && digit <= '9' ? digit - '0' : -1;
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
