// Router: picks the replica of a pool that receives a request.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/engine/replica.h"
#include "sim/scenario.h"
#include "workloads/request_spec.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

/// round_robin   replicas 0, 1, ..., n-1, 0, ... in routing order;
/// least_loaded  the replica with the fewest outstanding tokens (remaining prompt +
///               remaining output of its unfinished requests), ties to the lowest index;
/// random        uniform, from RngStream(seed, "router/<pool name>");
/// prefix_aware  the replica of lowest cost under NVIDIA Dynamo's KV router cost function
///               (prefix_aware_cost below), which weighs the request's prefix-cache overlap
///               on each replica against that replica's load; equal costs go to the least
///               loaded (least_loaded's rule). A request without content ids (no prefix
///               hashes), or a pool without prefix caching, is routed by least_loaded.
class Router {
 public:
  /// Precondition: replicas >= 1.
  Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed, std::string_view pool_name);

  /// Precondition: replicas.size() equals the count given at construction.
  std::int32_t choose(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);

 private:
  std::int32_t least_loaded(const std::vector<Replica>& replicas) const;
  std::int32_t prefix_aware(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);

  RouterKind kind_;
  std::int32_t replicas_;
  std::int32_t next_ = 0;
  workloads::RngStream rng_;
  std::vector<std::uint64_t> content_ids_;  ///< scratch: the routed request's block content ids
};

/// Dynamo's KV router cost of sending a request to a worker (lower is better), in KV blocks
/// (ai-dynamo/dynamo docs, "Routing Concepts", Cost Calculation, and its DefaultWorkerSelector):
///   prefill_blocks = (worker's pending prompt tokens + request's input tokens
///                     - overlap_blocks x block_size) / block_size
///   cost = overlap_score_weight x prefill_blocks + decode_blocks
/// where decode_blocks are the KV blocks the worker's requests hold now. Dynamo also adds
/// the request's own blocks to decode_blocks, the same on every worker, which changes no
/// choice and is left out.
struct PrefixAwareCostInputs {
  std::int64_t pending_prompt_tokens = 0;  ///< Replica::pending_prompt_tokens()
  std::int64_t input_tokens = 0;           ///< the request's prompt
  std::int64_t overlap_blocks = 0;         ///< leading blocks of the request the worker caches
  std::int64_t decode_blocks = 0;          ///< KvBlockManager::num_allocated()
  std::int64_t block_size = 1;             ///< tokens per KV block, >= 1
};
/// Dynamo's default --router-kv-overlap-score-weight (docs, "Configuration and Tuning":
/// "Defaults to 1"); with its default --router-temperature 0 the lowest cost is taken.
inline constexpr double kDynamoOverlapScoreWeight = 1.0;
double prefix_aware_cost(const PrefixAwareCostInputs& in, double overlap_score_weight = kDynamoOverlapScoreWeight);

}  // namespace llmsim::sim
