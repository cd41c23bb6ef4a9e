// Pool: the replicas of one PoolSpec, their router and their admission check.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/metrics/metrics_collector.h"
#include "sim/engine/replica.h"
#include "sim/engine/request_record.h"
#include "sim/cluster/router.h"
#include "sim/scenario.h"
#include "sim/engine/step_pricer.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

class Pool {
 public:
  /// kv_blocks >= 1 per replica. `records` and `metrics` must outlive the pool.
  /// track_block_ids: ReplicaConfig::track_block_ids.
  Pool(const PoolSpec& spec, std::int32_t index, std::int32_t first_metrics_slot,
       std::int64_t kv_blocks, std::unique_ptr<StepPricer> pricer, std::uint64_t seed,
       std::vector<RequestRecord>& records, MetricsCollector& metrics, bool track_block_ids = true);

  /// Why the request can never run on this pool's replicas, or RejectReason::none:
  /// (output: the longest of its parallel samples)
  ///   context_length  input + output > model.max_position_embeddings (when that is set);
  ///   batch_budget    chunked prefill off and input > max_num_batched_tokens;
  ///   kv_capacity     the most KV blocks its input + output - 1 tokens ever hold
  ///                   (request_peak_blocks; ceil((input + output - 1) / block_size) for a
  ///                   model without windows) > KV blocks per replica (the last output
  ///                   token is never fed back, so it needs no KV).
  RejectReason check(const workloads::RequestSpec& request) const;

  /// The replica the router picks for `request`, the next request.
  std::int32_t route(const workloads::RequestSpec& request) { return router_.choose(replicas_, request); }

  const PoolSpec& spec() const { return spec_; }
  std::int32_t index() const { return index_; }
  std::int64_t kv_blocks_per_replica() const { return kv_blocks_; }
  const StepPricer& pricer() const { return *pricer_; }
  std::vector<Replica>& replicas() { return replicas_; }
  const std::vector<Replica>& replicas() const { return replicas_; }
  const Router& router() const { return router_; }

 private:
  PoolSpec spec_;
  std::shared_ptr<const core::Architecture> architecture_;
  KvLayout kv_layout_;
  std::int32_t index_;
  std::int64_t kv_blocks_;
  std::unique_ptr<StepPricer> pricer_;  ///< on the heap: replicas keep its address across moves
  std::vector<Replica> replicas_;
  Router router_;
};

}  // namespace llmsim::sim
