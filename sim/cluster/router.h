// Router: picks the replica of a pool that receives a request.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/engine/block_content_ids.h"
#include "sim/engine/replica.h"
#include "sim/scenario.h"
#include "workloads/request_spec.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

/// What a router decided over a run (the summary's routing section).
struct RouterStats {
  std::vector<std::int64_t> requests_per_replica;
  /// prefix_aware and weighted with a prefix weight: requests sent to a replica that
  /// cached at least one of their KV blocks.
  std::int64_t chosen_with_cached_prefix = 0;
  /// session_affinity and weighted with a session weight: turns sent where their session's
  /// previous turn went; first turns (a session's first routing).
  std::int64_t session_followed = 0;
  std::int64_t session_first = 0;
};

/// round_robin       replicas 0, 1, ..., n-1, 0, ... in routing order;
/// least_loaded      the replica with the fewest outstanding tokens (remaining prompt +
///                   remaining output of its unfinished requests), ties to the lowest index;
/// random            uniform, from RngStream(seed, "router/<pool name>");
/// prefix_aware      the replica of lowest cost under NVIDIA Dynamo's KV router cost function
///                   (prefix_aware_cost below), which weighs the request's prefix-cache overlap
///                   on each replica against that replica's load; equal costs go to the least
///                   loaded (least_loaded's rule). A request without content ids (no prefix
///                   hashes), or a pool without prefix caching, is routed by least_loaded.
/// session_affinity  a session's turns stick to the replica its first turn went to (llm-d's
///                   session-affinity scorer and SGLang's router keep a session on one
///                   worker); a first turn, and a request of no session, go least_loaded.
/// kv_utilisation    the replica with the fewest KV blocks allocated (vLLM's kv_cache_usage,
///                   which the Gateway API inference extension's kv-cache-utilization-scorer
///                   reads), ties to the fewer outstanding tokens, then the lowest index.
/// weighted          llm-d / Gateway API inference extension style: each scorer with a
///                   positive weight (RouterWeights) scores every replica in [0, 1]; the
///                   replica with the highest weighted sum wins, ties to the fewer outstanding
///                   tokens, then the lowest index (the extension's max-score picker breaks
///                   ties at random; a fixed rule keeps runs easy to read).
class Router {
 public:
  /// Precondition: replicas >= 1.
  Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed, std::string_view pool_name,
         const RouterWeights& weights = {});

  /// Precondition: replicas.size() equals the count given at construction.
  std::int32_t choose(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);

  RouterKind kind() const { return kind_; }
  const RouterStats& stats() const { return stats_; }

 private:
  std::int32_t pick(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);
  std::int32_t least_loaded(const std::vector<Replica>& replicas) const;
  std::int32_t prefix_aware(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);
  std::int32_t session_affinity(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);
  std::int32_t kv_utilisation(const std::vector<Replica>& replicas) const;
  std::int32_t weighted(const std::vector<Replica>& replicas, const workloads::RequestSpec& request);
  /// The request's usable content ids on this pool's replicas (Replica::prefix_hit's
  /// window), in content_ids_; empty without prefix caching or prefix hashes.
  std::span<const std::uint64_t> usable_content_ids(const Replica& any, const workloads::RequestSpec& request);
  /// Whether replica a is a better tie-break than b: fewer outstanding tokens, then lower index.
  static bool less_loaded(const std::vector<Replica>& replicas, std::int32_t a, std::int32_t b);

  RouterKind kind_;
  std::int32_t replicas_;
  RouterWeights weights_;
  std::int32_t next_ = 0;
  workloads::RngStream rng_;
  std::vector<std::uint64_t> content_ids_;  ///< scratch: the routed request's block content ids
  BlockContentIdCache content_id_cache_;   ///< computes content_ids_
  /// scratch: prefix_aware's (cost bound, replica) pairs
  std::vector<std::pair<double, std::int32_t>> candidates_;
  std::unordered_map<std::int64_t, std::int32_t> session_replica_;  ///< session -> its replica
  bool chosen_has_prefix_ = false;  ///< set by the routers that look at prefixes
  RouterStats stats_;
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

/// The weighted router's scorers for one replica (each in [0, 1]), as the Gateway API
/// inference extension computes them (pkg/epp/scheduling/framework/plugins: prefix plugin
/// matchLen / total blocks, 0 with no blocks; kv-cache-utilization-scorer 1 - usage;
/// queue-scorer (max - queue) / (max - min) over the candidates, 1 when max == min).
double prefix_score(std::int64_t overlap_blocks, std::int64_t request_blocks);
double kv_utilisation_score(std::int64_t allocated_blocks, std::int64_t total_blocks);
double queue_score(std::int64_t waiting, std::int64_t min_waiting, std::int64_t max_waiting);

}  // namespace llmsim::sim
