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
      router_(spec.router, spec.replicas, seed, spec.name, spec.router_weights) {
  LLMSIM_CHECK(pricer_ != nullptr, "a pool has a step pricer");
  LLMSIM_CHECK(kv_blocks >= 1, "a pool's replicas have KV blocks");
  ReplicaConfig config;
  config.engine = spec.engine;
  config.kv_blocks = kv_blocks;
  config.track_block_ids = track_block_ids;
  config.flop_coefficients = core::precise_flop_coefficients(spec.model);
  config.architecture = architecture_;
  config.state_token_equivalents = state_token_equivalents(spec);
  config.pool = index;
  config.seed = seed;
  config.draft_pricer = make_draft_pricer(spec);
  if (spec.kv_offload.enabled()) {
    config.kv_offload = spec.kv_offload;
    config.kv_block_bytes = kv_capacity(spec).block_bytes;
  }
  replicas_.reserve(static_cast<std::size_t>(spec.replicas));
  for (std::int32_t r = 0; r < spec.replicas; ++r) {
    config.index = r;
    config.metrics_slot = first_metrics_slot + r;
    replicas_.emplace_back(config, *pricer_, records, metrics);
  }
}

RejectReason Pool::check(const workloads::RequestSpec& request) const {
  // Parallel samples decode apart: each must fit on its own.
  const std::int64_t tokens = request.input_tokens + request.max_output_tokens();
  if (spec_.model.max_position_embeddings > 0 && tokens > spec_.model.max_position_embeddings) {
    return RejectReason::context_length;
  }
  if (!spec_.engine.chunked_prefill && request.input_tokens > spec_.engine.max_num_batched_tokens) {
    return RejectReason::batch_budget;
  }
  if (request_peak_blocks(kv_layout_, spec_.engine, tokens - 1) > kv_blocks_) return RejectReason::kv_capacity;
  return RejectReason::none;
}

}  // namespace llmsim::sim
