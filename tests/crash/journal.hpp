// What the test learnt from the drivers' stdout across all runs: every operation by its
// idempotency key, with its BEGIN words and its answer, and the one left unanswered by a kill.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace billing::crash {

struct Op {
    std::vector<std::string> begin;   // kind key args...
    std::string answer;               // "ACK", "NACK", "DUP", or "" while unanswered
    std::vector<std::string> result;  // the answer's words after kind and key
    int begun = 0;                    // how many runs sent it (more than 1: retried after a kill)
};

class Journal {
public:
    // Takes one line of a driver's stdout. Returns false for a line that breaks the protocol
    // (an answer without its BEGIN, a second answer, a BEGIN while another is unanswered).
    bool take(const std::string& line, std::string& problem);

    // The operation sent but not answered when its driver died, or nullptr.
    [[nodiscard]] const Op* in_flight() const;

    [[nodiscard]] const std::map<std::string, Op>& ops() const noexcept { return ops_; }
    [[nodiscard]] int count(const std::string& answer) const;

private:
    std::map<std::string, Op> ops_;
    std::string in_flight_;
};

std::string join_words(const std::vector<std::string>& words, std::size_t from = 0);

}  // namespace billing::crash
