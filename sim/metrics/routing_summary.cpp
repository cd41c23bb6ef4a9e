#include "sim/metrics/routing_summary.h"

namespace llmsim::sim {

const char* router_name(RouterKind kind) {
  switch (kind) {
    case RouterKind::round_robin:
      return "round_robin";
    case RouterKind::least_loaded:
      return "least_loaded";
    case RouterKind::random:
      return "random";
    case RouterKind::prefix_aware:
      return "prefix_aware";
    case RouterKind::session_affinity:
      return "session_affinity";
    case RouterKind::kv_utilisation:
      return "kv_utilisation";
    case RouterKind::weighted:
      return "weighted";
  }
  return "?";
}

void add_routing_summary(nlohmann::ordered_json& summary, const std::vector<RoutedPool>& pools) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const RoutedPool& pool : pools) {
    const RouterKind kind = pool.router->kind();
    if (kind == RouterKind::round_robin || kind == RouterKind::least_loaded || kind == RouterKind::random) continue;
    const RouterStats& stats = pool.router->stats();
    nlohmann::ordered_json j;
    j["pool"] = pool.name;
    j["router"] = router_name(kind);
    j["requests_per_replica"] = stats.requests_per_replica;
    j["chosen_with_cached_prefix"] = stats.chosen_with_cached_prefix;
    j["session_followed"] = stats.session_followed;
    j["session_first"] = stats.session_first;
    list.push_back(j);
  }
  if (list.empty()) return;
  summary["routing"] = {{"pools", list}};
}

}  // namespace llmsim::sim
