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
    if (tag != "BEGIN" && tag != "ACK" && tag != "NACK" && tag != "DUP") return true;  // READY, STATS, DONE, DRAINED
    if (words.size() < 3) {
        problem = "short line: " + line;
        return false;
    }
    const std::string& key = words[2];
    const int writer = writer_of(key);
    if (writer < 0) {
        problem = "a key that names no writer: " + line;
        return false;
    }
    const auto flying = in_flight_.find(writer);
    if (tag == "BEGIN") {
        // The same key again is the next driver retrying what the last one was killed in.
        if (flying != in_flight_.end() && flying->second != key) {
            problem = "BEGIN " + key + " while " + flying->second + " of the same writer is unanswered";
            return false;
        }
        Op& op = ops_[key];
        if (!op.answer.empty() || op.abandoned) {
            problem = "BEGIN of " + key + ", which was already answered or abandoned";
            return false;
        }
        op.begin.assign(words.begin() + 1, words.end());
        if (op.begun++ == 0) op.seq = static_cast<int>(ops_.size());
        in_flight_[writer] = key;
        return true;
    }
    if (flying == in_flight_.end() || flying->second != key) {
        problem = tag + " " + key + " answers no BEGIN (in flight: '" +
                  (flying == in_flight_.end() ? std::string() : flying->second) + "')";
        return false;
    }
    Op& op = ops_[key];
    op.answer = tag;
    op.result.assign(words.begin() + 3, words.end());
    in_flight_.erase(flying);
    return true;
}

std::vector<const Op*> Journal::in_flight() const {
    std::vector<const Op*> flying;
    for (const auto& [writer, key] : in_flight_) flying.push_back(&ops_.at(key));
    return flying;
}

void Journal::abandon(const std::string& key) {
    const int writer = writer_of(key);
    const auto flying = in_flight_.find(writer);
    if (flying == in_flight_.end() || flying->second != key) return;
    ops_.at(key).abandoned = true;
    in_flight_.erase(flying);
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
