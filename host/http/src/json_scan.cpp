#include "billing/http/json_scan.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <vector>

namespace billing::http {

namespace {

struct Frame {
    bool object = false;
    bool expect_name = false;   // in an object: the next string is a member name
    std::string name;           // the current member's name, or "[i]" in an array
    std::size_t index = 0;      // in an array
    std::set<std::string> names_seen;
};

std::string path_of(const std::vector<Frame>& frames) {
    std::string path;
    for (const Frame& frame : frames) {
        if (frame.object && !path.empty()) {
            path += '.';
        }
        path += frame.object ? frame.name : "[" + std::to_string(frame.index) + "]";
    }
    return path;
}

// The string starting after the quote at text[at]; returns the index of its closing quote (or
// text.size()) and whether it held a backslash.
std::size_t string_end(std::string_view text, std::size_t at, bool& escaped) {
    escaped = false;
    for (std::size_t i = at + 1; i < text.size(); ++i) {
        if (text[i] == '\\') {
            escaped = true;
            ++i;
        } else if (text[i] == '"') {
            return i;
        }
    }
    return text.size();
}

// A JSON integer (RFC 8259 §6): -?(0|[1-9][0-9]*). Anything else ("-", "1-2", "+1") is bad syntax
// for the parser to refuse (400), never an out-of-range integer (422).
bool is_json_integer(std::string_view token) {
    if (!token.empty() && token.front() == '-') token.remove_prefix(1);
    if (token.empty() || (token.front() == '0' && token.size() > 1)) return false;
    return std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool fits_int64(std::string_view integer) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(integer.data(), integer.data() + integer.size(), value);
    return error == std::errc{} && end == integer.data() + integer.size();
}

bool number_char(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

class Scanner {
public:
    Scanner(std::string_view text, std::size_t depth_max) : text_(text), depth_max_(depth_max) {}

    JsonScan run() {
        for (std::size_t i = 0; i < text_.size() && result_.depth <= depth_max_; ++i) {
            i = step(i);
        }
        return std::move(result_);
    }

private:
    // Handles the token at text_[i]; returns the index of its last character.
    std::size_t step(std::size_t i) {
        const char c = text_[i];
        if (c == '{' || c == '[') {
            frames_.push_back(Frame{c == '{', c == '{', "", 0, {}});
            result_.depth = std::max(result_.depth, frames_.size());
        } else if ((c == '}' || c == ']') && !frames_.empty()) {
            frames_.pop_back();
        } else if (c == ',' && !frames_.empty()) {
            frames_.back().expect_name = frames_.back().object;
            frames_.back().index += frames_.back().object ? 0U : 1U;
        } else if (c == '"') {
            return string_token(i);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            return number_token(i);
        }
        return i;
    }

    std::size_t string_token(std::size_t at) {
        bool escaped = false;
        const std::size_t end = string_end(text_, at, escaped);
        if (!frames_.empty() && frames_.back().expect_name) {
            Frame& frame = frames_.back();
            frame.name = std::string(text_.substr(at + 1, end - at - 1));
            frame.expect_name = false;
            if (escaped && !result_.escaped_member) {
                result_.escaped_member = path_of(frames_);
            }
            if (!frame.names_seen.insert(frame.name).second && !result_.duplicate_member) {
                result_.duplicate_member = path_of(frames_);
            }
        }
        return end;
    }

    std::size_t number_token(std::size_t at) {
        std::size_t end = at;
        while (end < text_.size() && number_char(text_[end])) {
            ++end;
        }
        const std::string_view number = text_.substr(at, end - at);
        if (is_json_integer(number) && !fits_int64(number)) {
            if (!frames_.empty() && frames_.front().object) {
                result_.out_of_range_members.insert(frames_.front().name);
            }
        }
        return end - 1;
    }

    std::string_view text_;
    std::size_t depth_max_;
    std::vector<Frame> frames_;
    JsonScan result_;
};

}  // namespace

JsonScan scan_json(std::string_view text, std::size_t depth_max) { return Scanner(text, depth_max).run(); }

}  // namespace billing::http
