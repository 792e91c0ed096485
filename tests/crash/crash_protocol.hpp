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
//
// kinds and their BEGIN args / ACK results:
//   deposit    <account> <amount>              / <account> <amount> <balance>
//   activation <account> <service> <country>   / <order> <price>
//   rental     <account> <hours>               / <order> <price>
//   cancel     <order>                         / <order> <allowed 0|1> <code> <version> <state>
//   message    <order> <service>               / <order> <allowed 0|1> <code> <version> <state>
#pragma once

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
}  // namespace kind

// How far the drain run jumps simulated time: past the longest rental (1344 h = 56 days) that
// any run may have sold. Events written before the jump came from the runs that were killed.
inline constexpr std::int64_t drain_jump_ms = 60LL * 24 * 3600 * 1000;

// Every idempotency key starts with the first letter of its kind and a dash ("a-r3-n17"), so
// that the test can count the keys of one kind with LIKE 'a-%'.
inline std::string key_prefix(const std::string& op_kind) { return op_kind.substr(0, 1) + "-"; }

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
