#include "loader/router_section.h"

#include <utility>

#include "loader/yaml_choice.h"

namespace llmsim::loader {
namespace {

constexpr std::pair<const char*, sim::RouterKind> kRouters[] = {
    {"round_robin", sim::RouterKind::round_robin},
    {"least_loaded", sim::RouterKind::least_loaded},
    {"random", sim::RouterKind::random},
    {"prefix_aware", sim::RouterKind::prefix_aware},
    {"session_affinity", sim::RouterKind::session_affinity},
    {"kv_utilisation", sim::RouterKind::kv_utilisation},
    {"weighted", sim::RouterKind::weighted}};

sim::RouterWeights read_weights(YamlMap& scorers) {
  sim::RouterWeights w;
  w.prefix = scorers.require_non_negative("prefix", scorers.optional_number("prefix", 0.0));
  w.kv_utilisation = scorers.require_non_negative("kv_utilisation", scorers.optional_number("kv_utilisation", 0.0));
  w.queue = scorers.require_non_negative("queue", scorers.optional_number("queue", 0.0));
  w.session_affinity =
      scorers.require_non_negative("session_affinity", scorers.optional_number("session_affinity", 0.0));
  scorers.finish();
  if (w.prefix + w.kv_utilisation + w.queue + w.session_affinity <= 0.0) {
    scorers.fail_here("expected at least one positive weight among prefix, kv_utilisation, queue, session_affinity");
  }
  return w;
}

}  // namespace

void read_router(YamlMap& deployment, sim::PoolSpec& pool) {
  if (!deployment.has("router")) return;
  if (!deployment.required_node("router").IsMap()) {
    pool.router = required_choice(deployment, "router", kRouters);
    if (pool.router == sim::RouterKind::weighted) {
      deployment.fail("router", "weighted needs its scorers: router: {kind: weighted, scorers: {prefix: 2, "
                                "kv_utilisation: 1, queue: 1}}");
    }
    return;
  }
  YamlMap router = deployment.required_map("router");
  pool.router = required_choice(router, "kind", kRouters);
  if (pool.router == sim::RouterKind::weighted) {
    YamlMap scorers = router.required_map("scorers");
    pool.router_weights = read_weights(scorers);
  }
  router.finish();  // scorers with another kind is an unknown key there
}

}  // namespace llmsim::loader
