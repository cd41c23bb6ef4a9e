// Pool: the replicas of one PoolSpec, their router and their admission check.
//
// Engines. A replica without attention data parallelism is one engine (a Replica); a
// replica with deployment.attention_data_parallel = DP > 1 is DP engines, one per attention
// rank, each its own scheduler with the per-rank engine limits and one rank's KV blocks,
// stepping in lockstep (sim/cluster/dp_group.h). replicas() lists every engine, rank-major:
// engine e is rank e / R of replica e % R (R = deployment.replicas), so that with DP = 1
// engine e is replica e.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/cluster/dp_group.h"
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
  /// kv_blocks >= 1 per engine (per attention rank: one rank's GPUs). `records` and
  /// `metrics` must outlive the pool; replica r reports to metrics slot first_metrics_slot + r.
  /// track_block_ids: ReplicaConfig::track_block_ids. Under attention DP `pricer` prices GPU
  /// time only: each DpGroup adds the ranks' host time (spec.engine.host).
  Pool(const PoolSpec& spec, std::int32_t index, std::int32_t first_metrics_slot,
       std::int64_t kv_blocks, std::unique_ptr<StepPricer> pricer, std::uint64_t seed,
       std::vector<RequestRecord>& records, MetricsCollector& metrics, bool track_block_ids = true);

  /// Why the request can never run on this pool's replicas, or RejectReason::none:
  /// (output: the longest of its parallel samples)
  ///   context_length  input + output > model.max_position_embeddings (when that is set);
  ///   batch_budget    chunked prefill off and input > max_num_batched_tokens;
  ///   kv_capacity     the most KV blocks its input + output - 1 tokens ever hold
  ///                   (request_peak_blocks; ceil((input + output - 1) / block_size) for a
  ///                   model without windows) > KV blocks per engine (the last output
  ///                   token is never fed back, so it needs no KV).
  /// Under attention DP a request runs on one rank: the rank's limits apply.
  RejectReason check(const workloads::RequestSpec& request) const;

  /// The engine the router picks for `request`, the next request (under attention DP the
  /// router routes over every rank of every replica: dp_group.h, Dispatch).
  std::int32_t route(const workloads::RequestSpec& request) { return router_.choose(replicas_, request); }

  /// deployment.attention_data_parallel (1: one engine per replica).
  std::int32_t ranks() const { return ranks_; }
  /// The replica engine e belongs to.
  std::int32_t replica_of(std::int32_t engine) const { return engine % spec_.replicas; }
  /// Replica r's lockstep group; only when ranks() > 1.
  DpGroup& group(std::int32_t replica) { return *groups_[static_cast<std::size_t>(replica)]; }
  const DpGroup& group(std::int32_t replica) const { return *groups_[static_cast<std::size_t>(replica)]; }

  const PoolSpec& spec() const { return spec_; }
  std::int32_t index() const { return index_; }
  /// KV blocks of one engine (one attention rank under attention DP).
  std::int64_t kv_blocks_per_engine() const { return kv_blocks_; }
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
  std::int32_t ranks_;
  EngineConfig rank_engine_;  ///< one engine's limits (per attention rank)
  std::unique_ptr<PaddedRankPricer> rank_pricer_;  ///< the ranks' pricer under attention DP
  std::vector<std::unique_ptr<DpGroup>> groups_;   ///< by replica, under attention DP; on the heap, as pricer_
  std::vector<Replica> replicas_;
  Router router_;
};

}  // namespace llmsim::sim
