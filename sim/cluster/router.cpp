#include "sim/cluster/router.h"

#include <string>

#include "sim/check.h"

namespace llmsim::sim {

Router::Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed,
               std::string_view pool_name)
    : kind_(kind), replicas_(replicas), rng_(seed, "router/" + std::string(pool_name)) {
  LLMSIM_CHECK(replicas >= 1, "a pool has at least one replica");
}

std::int32_t Router::choose(const std::vector<Replica>& replicas) {
  LLMSIM_CHECK(static_cast<std::int32_t>(replicas.size()) == replicas_,
               "the router routes over its pool's replicas");
  switch (kind_) {
    case RouterKind::round_robin: {
      const std::int32_t chosen = next_;
      next_ = (next_ + 1) % replicas_;
      return chosen;
    }
    case RouterKind::least_loaded: {
      std::int32_t best = 0;
      for (std::int32_t r = 1; r < replicas_; ++r) {
        if (replicas[static_cast<std::size_t>(r)].outstanding_tokens() <
            replicas[static_cast<std::size_t>(best)].outstanding_tokens()) {
          best = r;
        }
      }
      return best;
    }
    case RouterKind::random:
      return static_cast<std::int32_t>(rng_.uniform_below(static_cast<std::uint64_t>(replicas_)));
  }
  return 0;
}

}  // namespace llmsim::sim
