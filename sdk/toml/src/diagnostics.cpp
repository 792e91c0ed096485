// Diagnostics, parsing, and the escaping that keeps one problem on one line.
#include "billing/toml/reader.hpp"

#include <algorithm>
#include <utility>

namespace billing::toml_reader {

std::string one_line(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
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

std::string_view describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a floating-point number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

toml::source_position position_of(const toml::node& node) {
    const toml::source_position at = node.source().begin;
    return at ? at : toml::source_position{1, 1};
}

Diagnostics::Diagnostics(std::string source_name) : source_name_(std::move(source_name)) {}

void Diagnostics::add(const toml::source_position& at, const std::string& what) {
    // Every node the parser makes has a position; a hand-made one is blamed on the first line.
    problems_.push_back(Problem{at ? at : toml::source_position{1, 1}, one_line(what)});
}

void Diagnostics::add(const toml::source_position& at, std::string_view key_path, std::string_view what) {
    std::string line(key_path);
    line += ": ";
    line += what;
    add(at, line);
}

std::string Diagnostics::text() const {
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
        message += ':' + std::to_string(problem.at.line) + ':' + std::to_string(problem.at.column);
        message += ": ";
        message += problem.what;
    }
    if (sorted.size() > listed) {
        message += "\n" + source_name_ + ": ... and " + std::to_string(sorted.size() - listed) + " more problems";
    }
    return message;
}

std::optional<toml::table> parse(std::string_view text, Diagnostics& diagnostics) {
    // toml++ (built with exceptions) reports syntax errors by throwing; they stop here and
    // become a problem like every other.
    try {
        return toml::parse(text, std::string_view(diagnostics.source_name()));
    } catch (const toml::parse_error& error) {
        diagnostics.add(error.source().begin, "syntax error: " + std::string(error.description()));
        return std::nullopt;
    }
}

}  // namespace billing::toml_reader
