#include "billing/core/json_reader.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <unordered_set>

namespace billing::json {

const Value* Value::find(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return &items[i];
    }
    return nullptr;
}

namespace {

// No recursion (the iterative parser keeps its stack on the heap, and the depth bound keeps that
// small); UTF-8 validated; every number handed over as its text, so that integers of any size
// and numbers with a fraction or an exponent are told apart here rather than rounded.
constexpr unsigned parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// Member names seen in one open object: a short list is searched in place, a long one (a body of
// thousands of members) through a hash set, so duplicates are found in linear time.
class NameSet {
public:
    void clear() {
        names_.clear();
        many_.clear();
    }
    // False when name was already there.
    bool insert(const std::string& name) {
        if (!many_.empty()) return many_.insert(name).second;
        for (const std::string& seen : names_) {
            if (seen == name) return false;
        }
        names_.push_back(name);
        if (names_.size() > short_list) many_.insert(names_.begin(), names_.end());
        return true;
    }

private:
    static constexpr std::size_t short_list = 16;
    std::vector<std::string> names_;
    std::unordered_set<std::string> many_;
};

struct Frame {
    bool object = false;
    std::size_t count = 0;  // the values started in it so far
    std::string name;       // an object's current member
    NameSet names;
};

// The number text RapidJSON validated: an integer when it has no fraction and no exponent.
bool send_number(std::string_view text, Sink& sink) {
    if (text.find_first_of(".eE") == std::string_view::npos) {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error == std::errc{} && end == text.data() + text.size()) return sink.integer(value);
        return sink.big_integer(text);
    }
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) {
        value = std::strtod(std::string(text).c_str(), nullptr);  // ±HUGE_VAL or a denormal/zero
    }
    return sink.number(value);
}

// RapidJSON's handler: bounds the depth, finds duplicate and escaped member names, classifies
// numbers, and passes every event on to the sink.
class Adapter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Adapter> {
public:
    Adapter(std::string_view text, const rapidjson::MemoryStream& stream, const ReadLimits& limits, Sink& sink,
            ReadReport& report, std::vector<Frame>& frames)
        : text_(text), stream_(stream), limits_(limits), sink_(sink), report_(report), frames_(frames) {}

    bool Null() { return done(value_starts() && sink_.null()); }
    bool Bool(bool value) { return done(value_starts() && sink_.boolean(value)); }
    bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        return done(value_starts() && send_number(std::string_view(text, length), sink_));
    }
    bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
        const std::string_view value(text, length);
        return done(value_starts() && allowed(value) && sink_.string(value));
    }
    bool StartObject() { return open(true) && done(sink_.start_object()); }
    bool StartArray() { return open(false) && done(sink_.start_array()); }
    bool EndObject(rapidjson::SizeType /*members*/) {
        --depth_;
        return done(sink_.end_object());
    }
    bool EndArray(rapidjson::SizeType /*elements*/) {
        --depth_;
        return done(sink_.end_array());
    }
    bool Key(const char* text, rapidjson::SizeType length, bool /*copy*/);

    [[nodiscard]] bool too_deep() const { return too_deep_; }
    // Why a string was refused, or "".
    [[nodiscard]] const std::string& refused_string() const { return refused_string_; }
    // The path of the value the reader was reading when it stopped.
    [[nodiscard]] std::string failed_value_path() const {
        if (depth_ > 0 && !frames_[depth_ - 1].object) return path_to(frames_[depth_ - 1].count);
        return depth_ > 0 ? path(frames_[depth_ - 1].name) : std::string();
    }

private:
    // Counts a value in the array that holds it (its index is in paths).
    bool value_starts() {
        if (depth_ > 0) ++frames_[depth_ - 1].count;
        return true;
    }
    bool open(bool object) {
        value_starts();
        if (depth_ >= limits_.depth_max) {
            too_deep_ = true;
            return false;
        }
        if (frames_.size() == depth_) frames_.emplace_back();
        Frame& frame = frames_[depth_++];
        frame.object = object;
        frame.count = 0;
        frame.name.clear();
        frame.names.clear();
        return true;
    }
    // A string's or a name's characters, escapes resolved. RapidJSON 1.1.0 turns a lone low
    // surrogate escape (\uDC00 to \uDFFF) into the three bytes of no character (ED B0 80 and
    // kin), which its own UTF-8 check refuses in raw text; so does this.
    bool allowed(std::string_view text) {
        if (!limits_.nul_characters && text.find('\0') != std::string_view::npos) {
            refused_string_ = "A string holds U+0000 (\\u0000), which is refused.";
            return false;
        }
        for (std::size_t at = text.find('\xED'); at != std::string_view::npos; at = text.find('\xED', at + 1)) {
            if (at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0xA0) {
                refused_string_ = "The surrogate in a \\u escape is invalid.";
                return false;
            }
        }
        return true;
    }
    // Where the next member name starts to be looked for.
    bool done(bool go_on) {
        mark_ = stream_.Tell();
        return go_on;
    }
    std::string path(std::string_view last_name) const;
    std::string path_to(std::size_t last_index) const;

    std::string_view text_;
    const rapidjson::MemoryStream& stream_;
    const ReadLimits& limits_;
    Sink& sink_;
    ReadReport& report_;
    std::vector<Frame>& frames_;  // frames_[0, depth_) are open; the rest keep their memory
    std::size_t depth_ = 0;
    std::size_t mark_ = 0;
    bool too_deep_ = false;
    std::string refused_string_;
};

bool Adapter::Key(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    Frame& frame = frames_[depth_ - 1];
    frame.name.assign(text, length);
    if (!allowed(frame.name)) return false;
    // The name as written lies between the first quote after the previous event and the quote
    // just read: only white space, a comma or the object's brace come before it.
    const std::size_t end = stream_.Tell() - 1;
    const std::size_t open = text_.find('"', mark_);
    const std::string_view written = text_.substr(open + 1, end - open - 1);
    if (!report_.escaped_name && written.find('\\') != std::string_view::npos) {
        report_.escaped_name = path(written);
    }
    if (!frame.names.insert(frame.name) && !report_.duplicate_name) {
        report_.duplicate_name = path(frame.name);
    }
    return done(sink_.key(frame.name));
}

std::string Adapter::path_to(std::size_t last_index) const {
    std::string out = path(frames_[depth_ - 1].name);
    return out.substr(0, out.rfind('[')) + "[" + std::to_string(last_index) + "]";
}

std::string Adapter::path(std::string_view last_name) const {
    std::string out;
    for (std::size_t i = 0; i < depth_; ++i) {
        const Frame& frame = frames_[i];
        if (!frame.object) {
            out += "[" + std::to_string(frame.count == 0 ? 0 : frame.count - 1) + "]";
            continue;
        }
        if (!out.empty()) out += '.';
        out += i + 1 == depth_ ? last_name : std::string_view(frame.name);
    }
    return out;
}

// Builds a Value: the open containers are a stack of pointers into the tree.
class TreeSink final : public Sink {
public:
    explicit TreeSink(Value& root) : root_(root) {}

    bool null() override {
        placed(Value::Kind::null);
        return true;
    }
    bool boolean(bool value) override {
        placed(Value::Kind::boolean).boolean = value;
        return true;
    }
    bool integer(std::int64_t value) override {
        placed(Value::Kind::integer).integer = value;
        return true;
    }
    bool big_integer(std::string_view digits) override {
        placed(Value::Kind::big_integer).text = digits;
        return true;
    }
    bool number(double value) override {
        placed(Value::Kind::number).number = value;
        return true;
    }
    bool string(std::string_view value) override {
        placed(Value::Kind::string).text = value;
        return true;
    }
    bool key(std::string_view name) override {
        open_.back()->names.emplace_back(name);
        return true;
    }
    bool start_object() override { return open(Value::Kind::object); }
    bool start_array() override { return open(Value::Kind::array); }
    bool end_object() override {
        open_.pop_back();
        return true;
    }
    bool end_array() override {
        open_.pop_back();
        return true;
    }

private:
    // A new value of that kind where the document has it.
    Value& placed(Value::Kind kind) {
        Value& value = open_.empty() ? root_ : open_.back()->items.emplace_back();
        value.kind = kind;
        return value;
    }
    bool open(Value::Kind kind) {
        open_.push_back(&placed(kind));
        return true;
    }

    Value& root_;
    std::vector<Value*> open_;  // safe: a container's items never move while it is open below
};

// The reader's stack and the frames, kept by each thread from one document to the next: reading
// a short stored text (the sweeper reads two per order) is then mostly free of allocations.
struct Scratch {
    rapidjson::Reader reader;
    std::vector<Frame> frames;
    bool busy = false;  // a sink that reads another document meanwhile gets a scratch of its own
};

class ScratchLease {
public:
    ScratchLease() {
        thread_local Scratch shared;
        if (!shared.busy) {
            scratch_ = &shared;
        } else {
            own_ = std::make_unique<Scratch>();
            scratch_ = own_.get();
        }
        scratch_->busy = true;
    }
    ~ScratchLease() { scratch_->busy = false; }
    ScratchLease(const ScratchLease&) = delete;
    ScratchLease& operator=(const ScratchLease&) = delete;
    Scratch& operator*() const { return *scratch_; }

private:
    std::unique_ptr<Scratch> own_;
    Scratch* scratch_ = nullptr;
};

}  // namespace

ReadReport read_events(std::string_view text, const ReadLimits& limits, Sink& sink) {
    ReadReport report;
    const ScratchLease lease;
    Scratch& scratch = *lease;
    rapidjson::MemoryStream stream(text.data(), text.size());
    Adapter adapter(text, stream, limits, sink, report, scratch.frames);
    const rapidjson::ParseResult result = scratch.reader.Parse<parse_flags>(stream, adapter);
    if (!result) {
        ReadFailure failure{.kind = ReadFailure::Kind::syntax, .offset = result.Offset(), .message = "", .path = ""};
        if (adapter.too_deep()) {
            failure.kind = ReadFailure::Kind::too_deep;
            failure.message = "nested deeper than " + std::to_string(limits.depth_max) + " levels";
        } else if (!adapter.refused_string().empty()) {
            failure.message = adapter.refused_string();
        } else if (result.Code() == rapidjson::kParseErrorNumberTooBig) {
            // The offset lies within the number or just past it: its text runs from the last
            // byte before that which no number holds.
            const std::size_t before = result.Offset() == 0 ? 0 : result.Offset() - 1;
            const std::size_t start = text.find_last_not_of("+-.eE0123456789", before) + 1;
            std::string_view number = text.substr(start);
            number = number.substr(0, number.find_first_not_of("+-.eE0123456789"));
            const bool integer = number.find_first_of(".eE") == std::string_view::npos;
            failure.kind = ReadFailure::Kind::too_big;
            failure.message = integer ? "an integer outside the 64-bit range" : "a number too large for a double";
            failure.path = adapter.failed_value_path();
        } else if (result.Code() == rapidjson::kParseErrorTermination) {
            failure.kind = ReadFailure::Kind::stopped;
            failure.message = "not of the expected shape";
        } else {
            failure.message = rapidjson::GetParseError_En(result.Code());
        }
        report.failure = std::move(failure);
    } else if (stream.Tell() != text.size()) {
        // The stream reads a NUL byte as its end: whatever follows one is refused here.
        report.failure = ReadFailure{.kind = ReadFailure::Kind::syntax,
                                     .offset = stream.Tell(),
                                     .message = "A NUL byte is not JSON.",
                                     .path = ""};
    }
    return report;
}

Value read(std::string_view text, const ReadLimits& limits, ReadReport& report) {
    Value root;
    TreeSink sink(root);
    ReadLimits bounded = limits;
    bounded.depth_max = std::min(limits.depth_max, tree_depth_max);
    report = read_events(text, bounded, sink);
    if (report.failure) return Value{};
    return root;
}

}  // namespace billing::json
