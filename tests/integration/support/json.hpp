// A read-only view of a parsed JSON document (Poco::JSON underneath) for assertions: every
// accessor throws std::runtime_error naming the member when the shape is not the expected one,
// so a test fails with a message instead of crashing on a null pointer.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace billing::integration {

class Json {
public:
    Json() = default;
    // Poco 1.11's Var has no move constructor: it is copied either way.
    explicit Json(const Poco::Dynamic::Var& value, std::string path = "$") : value_(value), path_(std::move(path)) {}

    // Throws std::runtime_error when text is not JSON.
    static Json parse(const std::string& text);

    [[nodiscard]] bool is_object() const;
    [[nodiscard]] bool is_array() const;
    [[nodiscard]] bool is_null() const { return value_.isEmpty(); }
    [[nodiscard]] bool has(const std::string& member) const;

    // A member of an object (throws if absent) or an element of an array.
    Json operator[](const std::string& member) const;
    Json operator[](const char* member) const { return (*this)[std::string(member)]; }
    Json operator[](std::size_t index) const;
    // An int literal (0 would otherwise be ambiguous with a null const char*).
    Json operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }
    [[nodiscard]] std::size_t size() const;  // of an array or an object

    [[nodiscard]] std::string str() const;
    [[nodiscard]] std::int64_t i64() const;
    [[nodiscard]] bool boolean() const;

    // The value as compact JSON text, for failure messages.
    [[nodiscard]] std::string dump() const;
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    Poco::Dynamic::Var value_;
    std::string path_;
};

}  // namespace billing::integration
