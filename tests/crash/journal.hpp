// What the test learnt from the drivers' stdout across all runs: every operation by its
// idempotency key, with its BEGIN words and its answer, and those a kill left unanswered (one per
// writer at most, crash_protocol.hpp). A client may also give up on an operation its driver died
// in and never send it again: that one stays abandoned until the end, when the database says
// whether it landed (settle).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace billing::crash {

// Op::answer of an abandoned operation that, the database says, never landed.
inline constexpr const char* not_landed = "NOT_LANDED";

struct Op {
    std::vector<std::string> begin;  // kind key tenant args...
    // "ACK", "NACK", "DUP", or "" while unanswered; an abandoned operation settled at the end:
    // "DUP" with the answer stored under its key if it landed, else not_landed.
    std::string answer;
    std::vector<std::string> result;  // the answer's words after kind and key
    int begun = 0;                    // how many runs sent it (more than 1: retried after a kill)
    int seq = 0;                      // its place in the order operations were first sent
    bool abandoned = false;           // in flight when its driver died, and never sent again
};

class Journal {
public:
    // Takes one line of a driver's stdout. Returns false for a line that breaks the protocol
    // (an answer without its BEGIN, a second answer, a BEGIN while another of the same writer is
    // unanswered, a key that names no writer).
    bool take(const std::string& line, std::string& problem);

    // The operations sent but not answered (when their driver died), by writer.
    [[nodiscard]] std::vector<const Op*> in_flight() const;

    // The client gives up on an operation in flight: the next driver does not send it again.
    void abandon(const std::string& key);
    // What the database says became of an abandoned operation (see Op::answer).
    void settle(const std::string& key, std::string answer, std::vector<std::string> result);

    [[nodiscard]] const std::map<std::string, Op>& ops() const noexcept { return ops_; }
    // The operations in the order they were first sent. A writer sends one at a time, and a
    // retried one is sent again by its writer before that writer's next, so for the operations
    // of one writer this is the order in which they committed. Writers work on accounts and
    // orders of their own, so the model needs no order between writers.
    [[nodiscard]] std::vector<const Op*> in_order() const;
    [[nodiscard]] int count(const std::string& answer) const;

private:
    std::map<std::string, Op> ops_;
    std::map<int, std::string> in_flight_;  // writer -> the key of its unanswered operation
};

std::string join_words(const std::vector<std::string>& words, std::size_t from = 0);

}  // namespace billing::crash
