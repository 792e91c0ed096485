// The JSON of the API's objects, in one place so that every route shows an object the same way
// (and the OpenAPI document describes exactly these). Money is integer minor units with the
// tenant's currency; times are RFC 3339 UTC.
#pragma once

#include <optional>
#include <string>

#include "billing/engine/engine.hpp"
#include "billing/engine/records.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/plugin/loader.hpp"
#include "billing/sdk/types.hpp"
#include "billing/server/key_store.hpp"
#include "billing/server/policy_registry.hpp"
#include "billing/storage/disputes.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/queries.hpp"

namespace billing::server::views {

void account(http::JsonWriter& w, const AccountRecord& account, const std::string& currency);

// What the customer can do with an order now (billing::ActionPreview, the engine's cancel preview).
using ActionPreview = billing::ActionPreview;

void order(http::JsonWriter& w, const OrderRecord& order, const std::string& currency, const ActionPreview& cancel);
void transfer(http::JsonWriter& w, const queries::TransferView& transfer, const std::string& currency);
void event(http::JsonWriter& w, const events::EventRow& event);
void dispute(http::JsonWriter& w, const DisputeRecord& dispute, const std::string& currency);
void tenant(http::JsonWriter& w, const TenantRecord& tenant);
void key(http::JsonWriter& w, const KeyRecord& key, const std::string* secret);
// GET /admin/plugins: the serving version and the ones still draining.
void plugin(http::JsonWriter& w, const PolicyStatus& status);
// POST /admin/plugins/{name}/reload.
void plugin_reload(http::JsonWriter& w, const SwapReport& report);
void product(http::JsonWriter& w, const sdk::ProductInfo& product);

}  // namespace billing::server::views
