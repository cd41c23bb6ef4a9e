#include "sim/cluster/pool.h"

#include <utility>

#include "core/precise_flops.h"
#include "sim/check.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/speculative.h"

namespace llmsim::sim {

Pool::Pool(const PoolSpec& spec, std::int32_t index, std::int32_t first_metrics_slot,
           std::int64_t kv_blocks, std::unique_ptr<StepPricer> pricer, std::uint64_t seed,
           std::vector<RequestRecord>& records, MetricsCollector& metrics, bool track_block_ids)
    : spec_(spec),
      architecture_(std::make_shared<const core::Architecture>(spec.model)),
      kv_layout_(*architecture_, spec.engine.block_size, state_token_equivalents(spec)),
      index_(index),
      kv_blocks_(kv_blocks),
      pricer_(std::move(pricer)),
      ranks_(spec.attention_data_parallel),
      rank_engine_(spec.engine),
      router_(spec.router, spec.replicas * spec.attention_data_parallel, seed, spec.name, spec.router_weights) {
  LLMSIM_CHECK(pricer_ != nullptr, "a pool has a step pricer");
  LLMSIM_CHECK(kv_blocks >= 1, "a pool's replicas have KV blocks");
  LLMSIM_CHECK(ranks_ >= 1 && spec.engine.max_num_seqs % ranks_ == 0 && spec.engine.max_num_batched_tokens % ranks_ == 0,
               "a replica's engine limits are its attention ranks' times DP (the simulator checks it)");
  // The loader multiplies the per-rank limits by DP (the replica's); each rank runs its own.
  rank_engine_.max_num_seqs /= ranks_;
  rank_engine_.max_num_batched_tokens /= ranks_;
  ReplicaConfig config;
  config.engine = rank_engine_;
  config.kv_blocks = kv_blocks;
  config.track_block_ids = track_block_ids;
  config.flop_coefficients = core::precise_flop_coefficients(spec.model);
  config.architecture = architecture_;
  config.state_token_equivalents = state_token_equivalents(spec);
  config.pool = index;
  config.seed = seed;
  config.draft_pricer = make_draft_pricer(spec);
  if (config.draft_pricer != nullptr && draft_parallelism(spec).attention_data_parallel > 1) {
    // A collective drafter prices the replica's draft batch: each rank's padded to every rank.
    config.draft_pricer = std::make_shared<const PaddedRankPricer>(config.draft_pricer, spec.attention_data_parallel);
  }
  if (spec.kv_offload.enabled()) {
    config.kv_offload = spec.kv_offload;
    config.kv_block_bytes = kv_capacity(spec).block_bytes;
  }
  const StepPricer* engine_pricer = pricer_.get();
  if (ranks_ > 1) {
    rank_pricer_ = std::make_unique<PaddedRankPricer>(*pricer_, ranks_);
    engine_pricer = rank_pricer_.get();
    for (std::int32_t r = 0; r < spec.replicas; ++r) {
      groups_.push_back(
          std::make_unique<DpGroup>(r, spec.replicas, ranks_, kv_blocks, *pricer_, spec.engine.host, metrics,
                                    first_metrics_slot + r));
    }
  }
  const std::int32_t engines = spec.replicas * ranks_;
  replicas_.reserve(static_cast<std::size_t>(engines));
  for (std::int32_t e = 0; e < engines; ++e) {
    const std::int32_t r = replica_of(e);
    config.index = e;
    config.metrics_slot = first_metrics_slot + r;
    if (ranks_ > 1) {
      config.rank_reports = groups_[static_cast<std::size_t>(r)].get();
      config.dp_rank = e / spec.replicas;
    }
    replicas_.emplace_back(config, *engine_pricer, records, metrics);
  }
}

RejectReason Pool::check(const workloads::RequestSpec& request) const {
  // Parallel samples decode apart: each must fit on its own.
  const std::int64_t tokens = request.input_tokens + request.max_output_tokens();
  if (spec_.model.max_position_embeddings > 0 && tokens > spec_.model.max_position_embeddings) {
    return RejectReason::context_length;
  }
  if (!rank_engine_.chunked_prefill && request.input_tokens > rank_engine_.max_num_batched_tokens) {
    return RejectReason::batch_budget;
  }
  if (request_peak_blocks(kv_layout_, rank_engine_, tokens - 1) > kv_blocks_) return RejectReason::kv_capacity;
  return RejectReason::none;
}

}  // namespace llmsim::sim
