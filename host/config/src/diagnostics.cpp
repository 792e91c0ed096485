#include "diagnostics.hpp"

#include <algorithm>
#include <utility>

namespace billing::config::detail {

namespace {

// One problem is one line that starts with file:line:col, so the control characters of a value
// quoted in `what` (or of what toml++ saw) are written as escapes.
std::string one_line(const std::string& what) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(what.size());
    for (const char c : what) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

Diagnostics::Diagnostics(std::string source_name) : source_name_(std::move(source_name)) {}

void Diagnostics::add(const toml::source_position& at, std::string what) {
    problems_.push_back(Problem{at, one_line(what)});
}

Error Diagnostics::to_error(std::string code) const {
    // Tables iterate in key order, not file order; people read a file top to bottom.
    std::vector<const Problem*> sorted;
    sorted.reserve(problems_.size());
    for (const Problem& problem : problems_) sorted.push_back(&problem);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Problem* a, const Problem* b) {
        if (a->at.line != b->at.line) return a->at.line < b->at.line;
        return a->at.column < b->at.column;
    });

    std::string message;
    const std::size_t listed = std::min(sorted.size(), listed_max_);
    for (std::size_t i = 0; i < listed; ++i) {
        if (i > 0) message += '\n';
        const Problem& problem = *sorted[i];
        message += source_name_;
        // Every node the parser makes has a position; the guard keeps a hand-made one readable.
        if (problem.at) {
            message += ':' + std::to_string(problem.at.line) + ':' + std::to_string(problem.at.column);
        }
        message += ": ";
        message += problem.what;
    }
    if (sorted.size() > listed) {
        message += "\n" + source_name_ + ": ... and " + std::to_string(sorted.size() - listed) +
                   " more problems";
    }
    return Error{std::move(code), std::move(message)};
}

}  // namespace billing::config::detail
