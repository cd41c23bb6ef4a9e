// The summary's routing section: what the cache- and session-aware routers decided.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cluster/router.h"

namespace llmsim::sim {

/// One pool's router, for add_routing_summary.
struct RoutedPool {
  std::string name;
  const Router* router = nullptr;
};

/// Adds summary["routing"] when some pool routes with prefix_aware, session_affinity,
/// kv_utilisation or weighted (the older routers' runs keep their summaries as they were):
///   routing {pools [{pool, router, requests_per_replica [...], chosen_with_cached_prefix,
///     session_followed, session_first}]}
/// over those pools (RouterStats).
void add_routing_summary(nlohmann::ordered_json& summary, const std::vector<RoutedPool>& pools);

/// The router's name as scenarios spell it.
const char* router_name(RouterKind kind);

}  // namespace llmsim::sim
