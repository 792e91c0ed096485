// The roles of API keys (DESIGN §6). A tenant's key is service (the tenant's backend), support
// (refunds, dispute resolution, reads) or admin (the tenant's keys and settings); an operator
// key belongs to the host, not to a tenant, and is the only one that reaches /admin.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace billing::http {

// "operator" is a C++ keyword, hence host_operator; its name on the wire is "operator".
enum class Role : std::uint8_t { service, support, admin, host_operator };

inline constexpr Role all_roles[] = {Role::service, Role::support, Role::admin, Role::host_operator};

constexpr std::string_view role_name(Role role) {
    switch (role) {
        case Role::service: return "service";
        case Role::support: return "support";
        case Role::admin: return "admin";
        case Role::host_operator: return "operator";
    }
    return "";
}

constexpr std::optional<Role> parse_role(std::string_view name) {
    for (const Role role : all_roles) {
        if (role_name(role) == name) {
            return role;
        }
    }
    return std::nullopt;
}

// The roles a route admits. Empty: the route is public (health, metrics, the OpenAPI document).
class RoleSet {
public:
    constexpr RoleSet() = default;
    constexpr RoleSet(std::initializer_list<Role> roles) {
        for (const Role role : roles) {
            bits_ = static_cast<std::uint8_t>(bits_ | bit(role));
        }
    }
    [[nodiscard]] constexpr bool contains(Role role) const { return (bits_ & bit(role)) != 0; }
    [[nodiscard]] constexpr bool is_public() const { return bits_ == 0; }
    friend constexpr bool operator==(RoleSet, RoleSet) = default;

private:
    static constexpr std::uint8_t bit(Role role) {
        return static_cast<std::uint8_t>(1U << static_cast<unsigned>(role));
    }
    std::uint8_t bits_ = 0;
};

}  // namespace billing::http
