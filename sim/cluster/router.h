// Router: picks the replica of a pool that receives a request.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/engine/replica.h"
#include "sim/scenario.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

/// round_robin   replicas 0, 1, ..., n-1, 0, ... in routing order;
/// least_loaded  the replica with the fewest outstanding tokens (remaining prompt +
///               remaining output of its unfinished requests), ties to the lowest index;
/// random        uniform, from RngStream(seed, "router/<pool name>").
class Router {
 public:
  /// Precondition: replicas >= 1.
  Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed, std::string_view pool_name);

  /// Precondition: replicas.size() equals the count given at construction.
  std::int32_t choose(const std::vector<Replica>& replicas);

 private:
  RouterKind kind_;
  std::int32_t replicas_;
  std::int32_t next_ = 0;
  workloads::RngStream rng_;
};

}  // namespace llmsim::sim
