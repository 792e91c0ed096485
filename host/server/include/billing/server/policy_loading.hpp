// The one way the host's policies are loaded: by `serve` when it starts (Host::start) and by
// `billing-host check`, so that check refuses exactly what serving would refuse.
#pragma once

#include <memory>

#include "billing/config/host_config.hpp"
#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/server/policy_registry.hpp"
#include "billing/storage/database.hpp"

namespace billing::server {

// Every configured policy loaded, configured with its file, smoke-checked, and configured with
// every distinct config a tenant of `db` is bound with (PolicyRegistry::load). The registry
// reads the bindings of `db` again at every later swap, so `db` must outlive it. With no
// database (nullptr: one that does not exist yet, so no tenant is bound) only the tenant
// bindings are skipped. The Error is the first refusal, worded as serving reports it.
Result<std::unique_ptr<PolicyRegistry>> load_serving_policies(const config::PluginsConfig& plugins,
                                                              storage::Database* db, UtcMs now_ms);

}  // namespace billing::server
