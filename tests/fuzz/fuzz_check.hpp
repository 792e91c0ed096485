// What the fuzz targets share: an invariant check that is never compiled out, and the check that
// a config error names its file, line and column on every line.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// A broken invariant prints what was expected and aborts: libFuzzer reports that as a crash and
// saves the input. (assert() would vanish under NDEBUG; this never does.) `detail` is evaluated
// only on failure.
#define FUZZ_CHECK(condition, detail)                                                                   \
    do {                                                                                                \
        if (!(condition)) {                                                                             \
            const std::string fuzz_detail_ = (detail);                                                  \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %s\n", __FILE__, __LINE__, #condition, \
                         fuzz_detail_.c_str());                                                         \
            std::abort();                                                                               \
        }                                                                                               \
    } while (false)

namespace billing::fuzz {

// Empty when every line of message reads "SOURCE:LINE:COL: what", with LINE within the text's
// lines (line_count of them) and the lines in document order; else what is wrong. A last line
// "SOURCE: ... and N more problems" is allowed when more_line_allowed.
inline std::string located_lines_problem(std::string_view message, std::string_view source, std::size_t line_count,
                                         bool more_line_allowed) {
    if (message.empty()) return "the message is empty";
    const auto number = [](std::string_view& rest) -> long {
        std::size_t digits = 0;
        long value = 0;
        while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 9) {
            value = value * 10 + (rest[digits] - '0');
            ++digits;
        }
        rest.remove_prefix(digits);
        return digits == 0 ? -1 : value;
    };
    long previous_line = 0;
    long previous_column = 0;
    std::string_view rest = message;
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        const std::string quoted = "in line \"" + std::string(line) + "\"";
        if (line.substr(0, source.size()) != source) return "no source name " + quoted;
        line.remove_prefix(source.size());
        if (more_line_allowed && rest.empty() && line.substr(0, 9) == ": ... and") continue;
        if (line.empty() || line[0] != ':') return "no ':' after the source name " + quoted;
        line.remove_prefix(1);
        const long at_line = number(line);
        if (at_line < 1 || line.empty() || line[0] != ':') return "no line number " + quoted;
        line.remove_prefix(1);
        const long at_column = number(line);
        if (at_column < 1 || line.substr(0, 2) != ": " || line.size() == 2) return "no column, or no text " + quoted;
        if (static_cast<std::size_t>(at_line) > line_count) {
            return "line " + std::to_string(at_line) + " past the text's " + std::to_string(line_count) + " lines";
        }
        if (at_line < previous_line || (at_line == previous_line && at_column < previous_column)) {
            return "not in document order " + quoted;
        }
        previous_line = at_line;
        previous_column = at_column;
    }
    return {};
}

// The number of lines a TOML parser counts in text (line breaks + 1).
inline std::size_t toml_line_count(std::string_view text) {
    std::size_t lines = 1;
    for (const char c : text) lines += c == '\n' ? 1 : 0;
    return lines;
}

}  // namespace billing::fuzz
