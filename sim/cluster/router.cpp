#include "sim/cluster/router.h"

#include <algorithm>
#include <span>
#include <string>

#include "sim/check.h"
#include "sim/engine/block_content_ids.h"

namespace llmsim::sim {

Router::Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed,
               std::string_view pool_name)
    : kind_(kind), replicas_(replicas), rng_(seed, "router/" + std::string(pool_name)) {
  LLMSIM_CHECK(replicas >= 1, "a pool has at least one replica");
}

std::int32_t Router::choose(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  LLMSIM_CHECK(static_cast<std::int32_t>(replicas.size()) == replicas_,
               "the router routes over its pool's replicas");
  switch (kind_) {
    case RouterKind::round_robin: {
      const std::int32_t chosen = next_;
      next_ = (next_ + 1) % replicas_;
      return chosen;
    }
    case RouterKind::least_loaded:
      return least_loaded(replicas);
    case RouterKind::random:
      return static_cast<std::int32_t>(rng_.uniform_below(static_cast<std::uint64_t>(replicas_)));
    case RouterKind::prefix_aware:
      return prefix_aware(replicas, request);
  }
  return 0;
}

std::int32_t Router::least_loaded(const std::vector<Replica>& replicas) const {
  std::int32_t best = 0;
  for (std::int32_t r = 1; r < replicas_; ++r) {
    if (replicas[static_cast<std::size_t>(r)].outstanding_tokens() <
        replicas[static_cast<std::size_t>(best)].outstanding_tokens()) {
      best = r;
    }
  }
  return best;
}

std::int32_t Router::prefix_aware(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  const Replica& first = replicas.front();
  if (!first.kv().prefix_caching()) return least_loaded(replicas);
  const std::int64_t block_size = first.config().engine.block_size;
  // The ids the replica's own prefix cache computes for the request (Replica::add_request).
  sample_block_content_ids(request, 0, block_size, content_ids_);
  if (content_ids_.empty()) return least_loaded(replicas);
  // As Replica::prefix_hit: never the whole prompt, its last token is computed to sample.
  const auto usable = static_cast<std::size_t>(
      std::min(static_cast<std::int64_t>(content_ids_.size()), (request.input_tokens - 1) / block_size));
  const std::span<const std::uint64_t> ids(content_ids_.data(), usable);

  std::int32_t best = -1;
  double best_cost = 0.0;
  for (std::int32_t r = 0; r < replicas_; ++r) {
    const Replica& replica = replicas[static_cast<std::size_t>(r)];
    PrefixAwareCostInputs in;
    in.pending_prompt_tokens = replica.pending_prompt_tokens();
    in.input_tokens = request.input_tokens;
    in.overlap_blocks = replica.kv().lookup(ids).blocks;
    in.decode_blocks = replica.kv().num_allocated();
    in.block_size = block_size;
    const double cost = prefix_aware_cost(in);
    const bool better =
        best < 0 || cost < best_cost ||
        (cost == best_cost &&
         replica.outstanding_tokens() < replicas[static_cast<std::size_t>(best)].outstanding_tokens());
    if (better) {
      best = r;
      best_cost = cost;
    }
  }
  return best;
}

double prefix_aware_cost(const PrefixAwareCostInputs& in, double overlap_score_weight) {
  LLMSIM_CHECK(in.block_size >= 1 && in.overlap_blocks >= 0 && in.overlap_blocks * in.block_size <= in.input_tokens,
               "a prefix overlap lies within the request's prompt");
  const auto prefill_tokens =
      static_cast<double>(in.pending_prompt_tokens + in.input_tokens - in.overlap_blocks * in.block_size);
  const double prefill_blocks = prefill_tokens / static_cast<double>(in.block_size);
  return overlap_score_weight * prefill_blocks + static_cast<double>(in.decode_blocks);
}

}  // namespace llmsim::sim
