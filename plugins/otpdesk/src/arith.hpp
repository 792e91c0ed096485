// Integer arithmetic that cannot overflow. Times and amounts come from the host and may be any
// int64 (conformance kits send INT64_MIN and INT64_MAX on purpose), so no rule adds, subtracts
// or multiplies them with the plain operators.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace otpdesk {

inline constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

// a + b, clamped to the int64 range. Clamping keeps every comparison against a representable
// bound right: a time past INT64_MAX is still "after" any deadline.
[[nodiscard]] constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return b > 0 ? int64_max : int64_min;
    }
    return sum;
}

// a - b, clamped to the int64 range.
[[nodiscard]] constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a, b, &difference)) {
        return b < 0 ? int64_max : int64_min;
    }
    return difference;
}

[[nodiscard]] constexpr std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return std::nullopt;
    }
    return sum;
}

[[nodiscard]] constexpr std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t difference = 0;
    if (__builtin_sub_overflow(a, b, &difference)) {
        return std::nullopt;
    }
    return difference;
}

[[nodiscard]] constexpr std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) {
        return std::nullopt;
    }
    return product;
}

// ceil(numerator / denominator) for numerator >= 0 and denominator > 0, without the
// (numerator + denominator - 1) trick that overflows near INT64_MAX.
[[nodiscard]] constexpr std::int64_t ceil_div(std::int64_t numerator, std::int64_t denominator) {
    const std::int64_t quotient = numerator / denominator;
    return numerator % denominator == 0 ? quotient : quotient + 1;
}

}  // namespace otpdesk
