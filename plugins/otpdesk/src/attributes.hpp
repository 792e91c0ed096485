// The shape of the names customers and operators type: services and countries. Purchases,
// messages and the configuration all go through these, so "Telegram" in a request finds
// "telegram" in the price list.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "billing/sdk/types.hpp"

namespace otpdesk {

inline constexpr std::size_t service_name_bytes_max = 64;

// A service name in stored form: 1..64 bytes of a-z, 0-9, '_' and '-'.
[[nodiscard]] bool is_service_name(std::string_view name);
// A country in stored form: two lower-case ASCII letters. Only the shape of ISO 3166 alpha-2 is
// checked, not the list of assigned codes: that list changes, and user-assigned codes such as
// "xk" are in real use. A price list names the countries it knows.
[[nodiscard]] bool is_country_code(std::string_view code);

// The stored form of what a customer typed (ASCII lower-cased), or nullopt if it is no name.
[[nodiscard]] std::optional<std::string> normalise_service(std::string_view raw);
[[nodiscard]] std::optional<std::string> normalise_country(std::string_view raw);

// The first key of `fields` that is not in `allowed`, if any.
template <class Map>
[[nodiscard]] std::optional<std::string> first_unknown_key(const Map& fields,
                                                           std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : fields) {
        (void)value;
        bool known = false;
        for (std::string_view name : allowed) {
            known = known || key == name;
        }
        if (!known) {
            return key;
        }
    }
    return std::nullopt;
}

// Quotes a name for a message: cut short and printable ASCII only, whatever a request held.
[[nodiscard]] std::string quoted(std::string_view text);

}  // namespace otpdesk
