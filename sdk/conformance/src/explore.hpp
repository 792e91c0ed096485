// The walk over every reachable state (explore.cpp).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "driver.hpp"

namespace billing::conformance::detail {

struct Explored {
    std::size_t nodes = 0;                                 // orders expanded
    std::map<std::string, std::set<std::string>> reached;  // product -> states reached
};

// Walks from each accepted sale, sold at start_ms; `visit` (may be empty) sees each order before
// its events are tried (the robustness check collects its base orders this way). Nothing is
// decided after sdk::now_ms_max, the latest now a host runs a tenant at.
Explored explore(Judge& judge, const std::function<void(const ModelOrder&)>& visit = {}, UtcMs start_ms = epoch_ms);

// "reached 31 orders: activation {active, delivered, ...} (declared, never reached: ...)".
std::string reached_note(const Explored& explored, const sdk::PolicyInfo& info);

}  // namespace billing::conformance::detail
