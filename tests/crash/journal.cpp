#include "journal.hpp"

#include <algorithm>
#include <utility>

#include "crash_protocol.hpp"

namespace billing::crash {

std::string join_words(const std::vector<std::string>& words, std::size_t from) {
    std::string line;
    for (std::size_t i = from; i < words.size(); ++i) {
        if (!line.empty()) line += ' ';
        line += words[i];
    }
    return line;
}

bool Journal::take(const std::string& line, std::string& problem) {
    const std::vector<std::string> words = split_words(line);
    if (words.empty()) return true;
    const std::string& tag = words[0];
    if (tag != "BEGIN" && tag != "ACK" && tag != "NACK" && tag != "DUP") return true;  // READY, DONE, DRAINED
    if (words.size() < 3) {
        problem = "short line: " + line;
        return false;
    }
    const std::string& key = words[2];
    if (tag == "BEGIN") {
        // The same key again is the next driver retrying what the last one was killed in.
        if (!in_flight_.empty() && in_flight_ != key) {
            problem = "BEGIN " + key + " while " + in_flight_ + " is unanswered";
            return false;
        }
        Op& op = ops_[key];
        if (!op.answer.empty() || op.abandoned) {
            problem = "BEGIN of " + key + ", which was already answered or abandoned";
            return false;
        }
        op.begin.assign(words.begin() + 1, words.end());
        if (op.begun++ == 0) op.seq = static_cast<int>(ops_.size());
        in_flight_ = key;
        return true;
    }
    if (key != in_flight_) {
        problem = tag + " " + key + " answers no BEGIN (in flight: '" + in_flight_ + "')";
        return false;
    }
    Op& op = ops_[key];
    op.answer = tag;
    op.result.assign(words.begin() + 3, words.end());
    in_flight_.clear();
    return true;
}

const Op* Journal::in_flight() const {
    if (in_flight_.empty()) return nullptr;
    return &ops_.at(in_flight_);
}

void Journal::abandon_in_flight() {
    if (in_flight_.empty()) return;
    ops_.at(in_flight_).abandoned = true;
    in_flight_.clear();
}

void Journal::settle(const std::string& key, std::string answer, std::vector<std::string> result) {
    Op& op = ops_.at(key);
    op.answer = std::move(answer);
    op.result = std::move(result);
}

std::vector<const Op*> Journal::in_order() const {
    std::vector<const Op*> ordered;
    for (const auto& [key, op] : ops_) ordered.push_back(&op);
    std::sort(ordered.begin(), ordered.end(), [](const Op* a, const Op* b) { return a->seq < b->seq; });
    return ordered;
}

int Journal::count(const std::string& answer) const {
    int n = 0;
    for (const auto& [key, op] : ops_) n += op.answer == answer ? 1 : 0;
    return n;
}

}  // namespace billing::crash
