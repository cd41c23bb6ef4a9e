#include "sim/cluster/router.h"

#include <algorithm>
#include <string>

#include "sim/check.h"
#include "sim/engine/block_content_ids.h"

namespace llmsim::sim {

Router::Router(RouterKind kind, std::int32_t replicas, std::uint64_t seed, std::string_view pool_name,
               const RouterWeights& weights)
    : kind_(kind), replicas_(replicas), weights_(weights), rng_(seed, "router/" + std::string(pool_name)) {
  LLMSIM_CHECK(replicas >= 1, "a pool has at least one replica");
  LLMSIM_CHECK(weights.prefix >= 0.0 && weights.kv_utilisation >= 0.0 && weights.queue >= 0.0 &&
                   weights.session_affinity >= 0.0,
               "router weights are non-negative (the loader checks them)");
  stats_.requests_per_replica.assign(static_cast<std::size_t>(replicas), 0);
}

std::int32_t Router::choose(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  LLMSIM_CHECK(static_cast<std::int32_t>(replicas.size()) == replicas_,
               "the router routes over its pool's replicas");
  chosen_has_prefix_ = false;
  const std::int32_t chosen = pick(replicas, request);
  LLMSIM_CHECK(chosen >= 0 && chosen < replicas_, "a router picks one of its replicas");
  ++stats_.requests_per_replica[static_cast<std::size_t>(chosen)];
  if (chosen_has_prefix_) ++stats_.chosen_with_cached_prefix;
  return chosen;
}

std::int32_t Router::pick(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
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
    case RouterKind::session_affinity:
      return session_affinity(replicas, request);
    case RouterKind::kv_utilisation:
      return kv_utilisation(replicas);
    case RouterKind::weighted:
      return weighted(replicas, request);
  }
  return 0;
}

bool Router::less_loaded(const std::vector<Replica>& replicas, std::int32_t a, std::int32_t b) {
  const std::int64_t load_a = replicas[static_cast<std::size_t>(a)].outstanding_tokens();
  const std::int64_t load_b = replicas[static_cast<std::size_t>(b)].outstanding_tokens();
  return load_a < load_b || (load_a == load_b && a < b);
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

std::span<const std::uint64_t> Router::usable_content_ids(const Replica& any, const workloads::RequestSpec& request) {
  content_ids_.clear();
  if (!any.kv().prefix_caching()) return {};
  const std::int64_t block_size = any.config().engine.block_size;
  // The ids the replica's own prefix cache computes for the request (Replica::add_request).
  content_id_cache_.compute(request, 0, block_size, content_ids_);
  // As Replica::prefix_hit: never the whole prompt, its last token is computed to sample.
  const auto usable = static_cast<std::size_t>(
      std::min(static_cast<std::int64_t>(content_ids_.size()), (request.input_tokens - 1) / block_size));
  return {content_ids_.data(), usable};
}

std::int32_t Router::prefix_aware(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  const std::span<const std::uint64_t> ids = usable_content_ids(replicas.front(), request);
  if (ids.empty()) return least_loaded(replicas);
  const std::int64_t block_size = replicas.front().config().engine.block_size;
  // The winner is the least (cost, outstanding tokens, index). A replica's cost is at least
  // its cost with every usable block cached (the cost falls as the overlap grows), so the
  // replicas are visited by that bound and the prefix-cache lookups stop once the bound
  // exceeds the best cost found: the same choice as looking every replica up, for fewer
  // lookups (the router's cost grows with replicas x prompt blocks otherwise).
  candidates_.clear();
  for (std::int32_t r = 0; r < replicas_; ++r) {
    const Replica& replica = replicas[static_cast<std::size_t>(r)];
    PrefixAwareCostInputs in;
    in.pending_prompt_tokens = replica.pending_prompt_tokens();
    in.input_tokens = request.input_tokens;
    in.overlap_blocks = static_cast<std::int64_t>(ids.size());
    in.decode_blocks = replica.kv().num_allocated();
    in.block_size = block_size;
    candidates_.push_back({prefix_aware_cost(in), r});
  }
  std::sort(candidates_.begin(), candidates_.end());
  std::int32_t best = -1;
  double best_cost = 0.0;
  std::int64_t best_overlap = 0;
  for (const auto& [bound, r] : candidates_) {
    if (best >= 0 && bound > best_cost) break;
    const Replica& replica = replicas[static_cast<std::size_t>(r)];
    PrefixAwareCostInputs in;
    in.pending_prompt_tokens = replica.pending_prompt_tokens();
    in.input_tokens = request.input_tokens;
    in.overlap_blocks = replica.kv().lookup(ids).blocks;
    in.decode_blocks = replica.kv().num_allocated();
    in.block_size = block_size;
    const double cost = prefix_aware_cost(in);
    const bool better = best < 0 || cost < best_cost || (cost == best_cost && less_loaded(replicas, r, best));
    if (better) {
      best = r;
      best_cost = cost;
      best_overlap = in.overlap_blocks;
    }
  }
  chosen_has_prefix_ = best_overlap > 0;
  return best;
}

std::int32_t Router::session_affinity(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  if (request.session < 0) return least_loaded(replicas);
  const auto found = session_replica_.find(request.session);
  if (found != session_replica_.end()) {
    ++stats_.session_followed;
    return found->second;
  }
  ++stats_.session_first;
  const std::int32_t chosen = least_loaded(replicas);
  session_replica_.emplace(request.session, chosen);
  return chosen;
}

std::int32_t Router::kv_utilisation(const std::vector<Replica>& replicas) const {
  std::int32_t best = 0;
  for (std::int32_t r = 1; r < replicas_; ++r) {
    // Replicas of one pool have the same KV blocks: fewer allocated is lower utilisation.
    const std::int64_t used = replicas[static_cast<std::size_t>(r)].kv().num_allocated();
    const std::int64_t best_used = replicas[static_cast<std::size_t>(best)].kv().num_allocated();
    if (used < best_used || (used == best_used && less_loaded(replicas, r, best))) best = r;
  }
  return best;
}

std::int32_t Router::weighted(const std::vector<Replica>& replicas, const workloads::RequestSpec& request) {
  std::span<const std::uint64_t> ids;
  if (weights_.prefix > 0.0) ids = usable_content_ids(replicas.front(), request);
  std::int64_t min_waiting = 0;
  std::int64_t max_waiting = 0;
  for (std::int32_t r = 0; r < replicas_; ++r) {
    const std::int64_t waiting = replicas[static_cast<std::size_t>(r)].num_waiting();
    min_waiting = r == 0 ? waiting : std::min(min_waiting, waiting);
    max_waiting = r == 0 ? waiting : std::max(max_waiting, waiting);
  }
  const auto session = request.session >= 0 ? session_replica_.find(request.session) : session_replica_.end();
  const std::int32_t session_replica = session != session_replica_.end() ? session->second : -1;
  std::int32_t best = -1;
  double best_score = 0.0;
  std::int64_t best_overlap = 0;
  for (std::int32_t r = 0; r < replicas_; ++r) {
    const Replica& replica = replicas[static_cast<std::size_t>(r)];
    double score = 0.0;
    std::int64_t overlap = 0;
    if (weights_.prefix > 0.0) {
      overlap = ids.empty() ? 0 : replica.kv().lookup(ids).blocks;
      score += weights_.prefix * prefix_score(overlap, static_cast<std::int64_t>(ids.size()));
    }
    if (weights_.kv_utilisation > 0.0) {
      score += weights_.kv_utilisation * kv_utilisation_score(replica.kv().num_allocated(), replica.kv().num_blocks());
    }
    if (weights_.queue > 0.0) score += weights_.queue * queue_score(replica.num_waiting(), min_waiting, max_waiting);
    if (weights_.session_affinity > 0.0 && r == session_replica) score += weights_.session_affinity;
    if (best < 0 || score > best_score || (score == best_score && less_loaded(replicas, r, best))) {
      best = r;
      best_score = score;
      best_overlap = overlap;
    }
  }
  chosen_has_prefix_ = best_overlap > 0;
  if (request.session >= 0 && weights_.session_affinity > 0.0) {
    if (session_replica < 0) {
      ++stats_.session_first;
    } else if (best == session_replica) {
      ++stats_.session_followed;
    }
    session_replica_[request.session] = best;  // the replica of the session's latest turn
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

double prefix_score(std::int64_t overlap_blocks, std::int64_t request_blocks) {
  LLMSIM_CHECK(overlap_blocks >= 0 && overlap_blocks <= request_blocks, "an overlap lies within the request");
  return request_blocks == 0 ? 0.0 : static_cast<double>(overlap_blocks) / static_cast<double>(request_blocks);
}

double kv_utilisation_score(std::int64_t allocated_blocks, std::int64_t total_blocks) {
  LLMSIM_CHECK(total_blocks >= 1 && allocated_blocks >= 0 && allocated_blocks <= total_blocks,
               "allocated blocks are some of the total");
  return 1.0 - static_cast<double>(allocated_blocks) / static_cast<double>(total_blocks);
}

double queue_score(std::int64_t waiting, std::int64_t min_waiting, std::int64_t max_waiting) {
  LLMSIM_CHECK(min_waiting <= waiting && waiting <= max_waiting, "a queue lies between the shortest and longest");
  if (max_waiting == min_waiting) return 1.0;
  return static_cast<double>(max_waiting - waiting) / static_cast<double>(max_waiting - min_waiting);
}

}  // namespace llmsim::sim
