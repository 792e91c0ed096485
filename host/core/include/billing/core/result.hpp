// Result<T>: the value, or an Error with a stable code, for failures that input or the
// environment can cause (a bad config file, a plugin that refuses to load). What should never
// happen is an assertion instead.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace billing {

struct Error {
    std::string code;     // stable, machine-readable: "config_invalid", "abi_major_mismatch", ...
    std::string message;  // for people: says what was wrong and where
};

// The value of a Result that carries no value, only success.
struct Unit {};

template <class T>
class [[nodiscard]] Result {
public:
    // By reference: a value taken by value would be moved twice on its way in, and some are large
    // (a write plan, an order and its attributes).
    Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}    // NOLINT(google-explicit-constructor)
    Result(const T& value) : state_(std::in_place_index<0>, value) {}          // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    [[nodiscard]] const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    [[nodiscard]] T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    [[nodiscard]] const Error& error() const {
        assert(!ok());
        return std::get<1>(state_);
    }

private:
    std::variant<T, Error> state_;
};

}  // namespace billing
