// DpGroup: the attention data-parallel ranks of one replica, each its own scheduler, stepping
// in lockstep (issue 24).
//
// What the engines do. A DEP replica (deployment.attention_data_parallel = DP > 1 with
// expert parallelism) runs one scheduler per DP rank, each with its own waiting queue,
// running batch and KV cache: SGLang's --enable-dp-attention launches one Scheduler per
// attention DP rank behind its DataParallelController (python/sglang/srt/managers/
// data_parallel_controller.py), vLLM's --data-parallel-size one EngineCore per rank with
// its own KV cache, TensorRT-LLM's enable_attention_dp one executor per rank. llmsim
// models each rank as a Replica (sim/engine/replica.h) with the per-rank engine limits
// (engine.max_num_seqs and max_num_batched_tokens as the scenario gives them, before the
// loader multiplies them by DP) and the KV blocks of one rank's GPUs (kv_capacity, per GPU).
//
// Dispatch. Each request goes to ONE rank. SGLang's controller dispatches round robin by
// default (DataParallelController.round_robin_scheduler) and takes a rank an external
// router names (maybe_external_dp_rank_routing: Req.data_parallel_rank, which the
// sgl-router's DP-aware mode sets). llmsim's pool router (deployment.router) therefore
// routes over the ranks of all the pool's replicas directly (Pool::route): round_robin
// visits them replica-first (rank 0 of replicas 0..R-1, then rank 1, ...), which is a
// round-robin router over replicas each dispatching round robin over its ranks;
// least_loaded picks the rank with the fewest outstanding tokens (close to vLLM's DP
// coordinator, which balances on the ranks' queue lengths); the prefix- and KV-aware
// routers look at each rank's own cache.
//
// Lockstep. Every MoE layer is a collective over all ranks (the all-to-all), so the ranks'
// forward passes start and end together; a rank with nothing to run still runs a dummy
// batch (vLLM's DP coordinator wakes idle engines to run dummy forward passes; SGLang's
// idle ranks run ForwardMode.IDLE batches). A rank that is idle when a step starts, or whose
// request arrives during a step, waits for the next step.
//
// Padding. How the step is priced follows SGLang's DpPaddingMode.get_dp_padding_mode
// (python/sglang/srt/layers/dp_attention.py), over the token counts of all DP ranks (idle
// ranks count 0):
//   - a step in which some rank extends (prompt tokens: is_extend_in_batch) is SUM_LEN: the
//     ranks' tokens are gathered without padding, so the MoE layers see the sum, while each
//     rank runs the attention (and the other non-expert layers) of its own batch. The
//     all-to-all of every MoE layer waits for the slowest rank, so the step is the busiest
//     rank's attention plus the MoE work of the sum. Priced one stepped rank at a time with
//     the pool's pricer: the rank's batch as if every rank ran it (PaddedRankPricer::padded,
//     which the pricer splits back into the rank's batch), its MoE layers routing the sum of
//     all ranks' new tokens (BatchShape::lockstep_tokens; the all-to-all's kernels the
//     step's: normal when any rank extends, lockstep_extends); the step the most expensive
//     rank's. Idle ranks run no attention and the same MoE work: never the most expensive.
//   - a decode-only step is MAX_LEN when sum x 2 > max x DP (balanced ranks), else SUM_LEN.
//     MAX_LEN pads every rank to the busiest rank's token count, as vLLM does for every
//     step whenever CUDA graphs or microbatching are on (vllm/v1/worker/dp_utils.py,
//     coordinate_batch_across_dp: "Pad all DP ranks up to the maximum token count across
//     ranks"). Priced as "every rank padded to the busiest rank's shape": each rank's batch
//     priced as if all DP ranks had it (PaddedRankPricer), the step the most expensive.
// Draft passes and offloaded-KV loads (Replica::price) run apart from the forward pass: the
// step is the forward pass as above plus the largest rank's draft passes plus the largest
// rank's loads (each phase waits for every rank). A MoE drafter runs on the pool's DP and EP
// layout (draft_parallelism, sim/engine/speculative.h), its passes collectives like the
// target's: each rank's draft batch is priced padded to every rank (a PaddedRankPricer
// around the drafter, sim/cluster/pool.cpp), so the step pays the busiest rank's draft batch
// on every rank, MAX_LEN, as a decode step (also in SUM_LEN steps: a known simplification).
//
// Host time. Each rank is its own scheduler process on its own CPU (SGLang: one Scheduler
// per DP rank; vLLM: one EngineCore per rank), so each prepares, samples and detokenises
// only its own batch: a rank's CPU time is the engine's host time (hw::HostTime) for its
// own sequences. The pool's pricer prices GPU time only (Pool); the group combines the
// forward pass's GPU time with the busiest rank's CPU time by the engine's rule
// (HostTime::step_s: overlapped, the larger of the two; else their sum, as no rank's GPU
// work can start its first collective before the slowest rank has scheduled), and then
// adds the draft passes and loads, as a replica without DP adds them to its priced step.
//
// Reported work (FLOPs and HBM bytes: the summary's flops, MFU and bandwidth utilisation).
// A MAX_LEN step reports each rank's own share of its padded price (PaddedRankPricer: the
// padded replica's over DP). A SUM_LEN step reports the work its GPUs do: each rank's
// attention and other non-expert layers on its own batch and the MoE layers on the step's
// tokens once, which is the pool's pricer's work for the union of the ranks' batches as one
// replica batch (hw::StepTimeModel::price_pipelined reports the mean rank's items over every
// GPU: each term linear in the ranks' counts sums to the ranks' own, the experts' GEMMs and
// weight reads are those of the step's tokens), plus each rank's draft passes. The padded
// rows of the per-rank prices are not reported (they set the time only). Idle ranks are
// counted as reading the attention-side weights (the mean rank's share), a small overcount
// of bytes. The step's prefill share of FLOPs is the ranks' own, FLOP-weighted.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/host_time.h"
#include "sim/engine/rank_reports.h"
#include "sim/engine/replica.h"
#include "sim/engine/step_pricer.h"
#include "sim/metrics/metrics_collector.h"

namespace llmsim::sim {

/// One attention-DP rank's view of the pool's pricer: a rank batch is priced as the
/// replica's iteration in which every one of the `ranks` DP ranks runs that batch (MAX_LEN
/// padding); FLOPs and HBM bytes are the rank's share (1 / ranks of the padded replica's:
/// the rank's own work), as are the peaks (its GPUs' share of the replica's).
class PaddedRankPricer final : public StepPricer {
 public:
  /// `replica_pricer` must outlive this pricer; ranks >= 1.
  PaddedRankPricer(const StepPricer& replica_pricer, std::int32_t ranks);
  /// The same, owning the replica's pricer (not null).
  PaddedRankPricer(std::shared_ptr<const StepPricer> replica_pricer, std::int32_t ranks);

  hw::StepTotals price(const hw::BatchShape& rank_batch) const override;
  double peak_flops_per_s_group() const override;
  double hbm_bandwidth_bytes_per_s_group() const override;

  /// The replica's batch when each of `ranks` ranks runs `rank_batch`: every count and
  /// sum times ranks (the pricer splits it back into `rank_batch` per rank).
  static hw::BatchShape padded(const hw::BatchShape& rank_batch, std::int32_t ranks);

 private:
  std::shared_ptr<const StepPricer> owned_;  ///< null unless this pricer owns replica_pricer_
  const StepPricer* replica_pricer_;
  std::int32_t ranks_;
};

/// What a pool's lockstep steps looked like across its ranks (the summary's
/// attention_data_parallel section), summed over its replicas' groups.
struct DpBalance {
  std::int64_t steps = 0;               ///< lockstep steps (one per replica and step)
  std::int64_t max_len_steps = 0;       ///< of which padded to the busiest rank (MAX_LEN)
  std::int64_t rank_steps_idle = 0;     ///< ranks that ran no batch of their own in a step
  std::int64_t rank_tokens = 0;         ///< new tokens over ranks and steps
  std::int64_t busiest_rank_tokens = 0; ///< the busiest rank's new tokens, over steps
  std::int64_t rank_seqs = 0;           ///< sequences in the ranks' batches, over ranks and steps
  std::int64_t busiest_rank_seqs = 0;   ///< the largest rank batch, over steps
  /// Over ranks: the highest share of one rank's KV blocks allocated at any step boundary,
  /// and the lowest such peak among ranks.
  double rank_kv_peak_max = 0.0;
  double rank_kv_peak_min = 0.0;
};

/// The ranks of replica `replica` of a pool of `replicas` replicas: rank d is the pool's
/// engine d x replicas + replica (Pool::replicas()). Plans and applies their lockstep steps
/// and folds their reports into one iteration of the replica for the MetricsCollector.
class DpGroup final : public RankReports {
 public:
  /// `replica_pricer` (the pool's: a whole replica's batch, GPU time only) and `metrics`
  /// must outlive the group; `host` is the engine's host time, which each rank spends on its
  /// own batch (see Host time above); `metrics_slot` is the replica's; kv_blocks_per_rank >= 1.
  DpGroup(std::int32_t replica, std::int32_t replicas, std::int32_t ranks, std::int64_t kv_blocks_per_rank,
          const StepPricer& replica_pricer, hw::HostTime host, MetricsCollector& metrics,
          std::int32_t metrics_slot);

  std::int32_t ranks() const { return ranks_; }
  /// The pool engine index of rank d.
  std::int32_t engine(std::int32_t rank) const { return rank * replicas_ + replica_; }

  /// Whether a step is in flight (some rank's iteration).
  bool in_flight(const std::vector<Replica>& engines) const;
  bool has_work(const std::vector<Replica>& engines) const;

  /// Starts a lockstep step at `now`: plans every rank that has work, prices the step (see
  /// Padding above) and sets every planned rank's iteration to it.
  /// Returns the step's end, or Replica::kNoIteration when no rank could start one (each
  /// rank with work waits on a KV transfer). Precondition: !in_flight().
  workloads::TimeNs plan(workloads::TimeNs now, std::vector<Replica>& engines);

  /// Applies the step in flight on every rank that ran one, in rank order, appending the
  /// requests they completed to `completed`, and reports the replica's iteration.
  /// Precondition: in_flight().
  void apply(std::vector<Replica>& engines, std::vector<RequestIndex>& completed);

  /// The ranks planned in the step in flight (or the last step), as engine indices.
  const std::vector<std::int32_t>& stepped() const { return stepped_; }
  /// After apply(): the requests each stepped() rank completed, in the same order.
  const std::vector<std::int64_t>& completed_counts() const { return completed_counts_; }

  /// Adds this group's steps to `balance` (rank_kv_peak_*: max and min over all ranks so far).
  void add_balance(DpBalance& balance, bool first_group) const;

  // RankReports.
  void on_rank_iteration(std::int32_t rank, const IterationStats& stats) override;
  void on_rank_kv_usage(std::int32_t rank, workloads::TimeNs now, std::int64_t allocated_blocks) override;

 private:
  /// Tells the collector the replica's allocated blocks (the ranks' sum) at `now`.
  void report_kv(workloads::TimeNs now);
  /// A SUM_LEN step of the stepped() ranks' planned batches (see Padding above), without
  /// their draft passes and offloaded-KV loads: the most expensive rank's batch priced with
  /// the MoE layers of all `step_tokens` new tokens; `extend`: some rank computes prompt
  /// tokens. Sets busiest_ to that rank.
  double sum_len_step_s(const std::vector<Replica>& engines, std::int64_t step_tokens, bool extend);
  /// A SUM_LEN step's reported work (see Reported work above) into step_flops_ and
  /// step_hbm_bytes_.
  void price_sum_len_work(const std::vector<Replica>& engines);

  std::int32_t replica_;
  std::int32_t replicas_;
  std::int32_t ranks_;
  std::int64_t kv_blocks_per_rank_;
  const StepPricer* replica_pricer_;
  hw::HostTime host_;
  MetricsCollector* metrics_;
  std::int32_t metrics_slot_;
  std::vector<std::int32_t> stepped_;        ///< engines planned in the step in flight
  std::vector<std::int64_t> completed_counts_;  ///< by stepped_ entry, after apply()
  std::int32_t busiest_ = -1;                ///< rank whose own price set the step's
  bool sum_len_ = false;                     ///< the step in flight is SUM_LEN
  double step_flops_ = 0.0;                  ///< a SUM_LEN step's reported FLOPs, the replica's
  double step_hbm_bytes_ = 0.0;              ///< and HBM bytes
  std::vector<std::int64_t> rank_allocated_; ///< each rank's allocated blocks, last reported
  std::vector<std::int64_t> rank_peak_;      ///< each rank's most allocated blocks
  std::int64_t allocated_ = 0;               ///< their sum
  IterationStats folded_;                    ///< the step's ranks' stats, summed
  double folded_prefill_flops_ = 0.0;
  std::int64_t steps_ = 0;
  std::int64_t max_len_steps_ = 0;
  std::int64_t rank_steps_idle_ = 0;
  std::int64_t rank_tokens_ = 0;
  std::int64_t busiest_rank_tokens_ = 0;
  std::int64_t rank_seqs_ = 0;
  std::int64_t busiest_rank_seqs_ = 0;
};

}  // namespace llmsim::sim
