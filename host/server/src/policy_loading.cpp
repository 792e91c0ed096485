#include "billing/server/policy_loading.hpp"

#include <string>
#include <vector>

#include "billing/storage/tenants.hpp"

namespace billing::server {

Result<std::unique_ptr<PolicyRegistry>> load_serving_policies(const config::PluginsConfig& plugins,
                                                              storage::Database* db, UtcMs now_ms) {
    BoundConfigs bound_configs;
    if (db != nullptr) {
        // A new version of a policy must accept every config a tenant is bound with.
        bound_configs = [db](const std::string& name) -> Result<std::vector<std::string>> {
            return db->read([&](soci::session& sql) -> Result<std::vector<std::string>> {
                return tenants::bound_configs(sql, name);
            });
        };
    }
    return PolicyRegistry::load(plugins, now_ms, std::move(bound_configs));
}

}  // namespace billing::server
