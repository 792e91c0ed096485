#include "diagnostics.hpp"

#include <algorithm>
#include <utility>

namespace billing::config::detail {

Diagnostics::Diagnostics(std::string source_name) : source_name_(std::move(source_name)) {}

void Diagnostics::add(const toml::source_position& at, std::string what) {
    problems_.push_back(Problem{at, std::move(what)});
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
