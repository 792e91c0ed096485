// API keys as rows (DESIGN §6): the host's key store (billing/server/key_store.hpp) issues,
// adopts, revokes and looks them up through these. A key's role is stored as its name on the
// wire ("service", "operator", ...); the key store reads it back into its role.
#pragma once

#include <soci/soci.h>

#include <optional>
#include <string>

#include "billing/core/clock.hpp"

namespace billing::keys {

struct KeyRow {
    std::string id;
    std::string tenant_id;  // "" for an operator key
    std::string role;       // the role's name
    std::string prefix;     // unique
    std::string digest_hex;
    std::string label;
    UtcMs created_at_ms = 0;
    std::optional<UtcMs> revoked_at_ms;
};

// Stores a new key, not revoked. A prefix already stored makes the INSERT throw (unique index).
void insert(soci::session& sql, const KeyRow& key);

// The key of this id, or of this prefix; nullopt when there is none.
std::optional<KeyRow> find_by_id(soci::session& sql, const std::string& id);
std::optional<KeyRow> find_by_prefix(soci::session& sql, const std::string& prefix);

// Whether a key of this role (its name) is stored and not revoked.
bool any_live_of_role(soci::session& sql, const std::string& role);

// Marks the key revoked at now_ms unless it is revoked already (its first time stays).
void revoke(soci::session& sql, const std::string& id, UtcMs now_ms);

}  // namespace billing::keys
