// MetricsCollector: run-wide aggregates (iterations, ITL gaps, KV usage over time, queue
// lengths, and the per-request totals of finished requests), in memory that grows with
// distinct values, not with tokens or requests. Per-request facts live in RequestRecord.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hw/step_time_model.h"
#include "sim/check.h"
#include "sim/engine/request_record.h"
#include "sim/metrics/request_totals.h"
#include "sim/metrics/steady_state.h"
#include "sim/scenario.h"
#include "sim/metrics/weighted_samples.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

using workloads::TimeNs;

/// One finished iteration of one replica, as the replica reports it.
struct IterationStats {
  std::int32_t replica_slot = 0;  ///< run-wide replica index (pools laid end to end)
  TimeNs start_ns = 0;
  TimeNs end_ns = 0;
  std::int64_t seqs = 0;            ///< sequences in the batch
  std::int64_t prefill_tokens = 0;  ///< prompt (or recompute) tokens processed (verify steps excluded)
  std::int64_t decode_tokens = 0;   ///< decode tokens: one per decode step, drafts + 1 per verify step
  // What the collector reads of the iteration's hw::StepCost.
  double time_s = 0.0;           ///< StepCost::time_s
  double flops = 0.0;            ///< StepCost::flops
  double hbm_bytes = 0.0;        ///< StepCost::hbm_bytes
  bool compute_bound = false;    ///< StepCost::bound == Bound::compute
  double prefill_flops_share = 0.0;       ///< share of flops spent on prefill, [0, 1]
  double peak_flops_per_s_group = 0.0;    ///< of the replica's TP group
  double hbm_bandwidth_bytes_per_s_group = 0.0;
  // Speculative decoding (IterationPlan's verify fields); 0 without it.
  std::int64_t verify_seqs = 0;     ///< decode steps that verified drafts
  std::int64_t verify_emitted = 0;  ///< tokens those steps emitted (bonus tokens included)
  double draft_time_s = 0.0;        ///< the draft passes' part of time_s
};

/// Sums over iterations are kept per replica and added up in replica order when read, so
/// they do not depend on how the iterations of different replicas interleave (a replica
/// that runs ahead over a decode stretch reports its iterations early).
class MetricsCollector {
 public:
  /// kv_blocks[slot] = KV blocks of the replica with that run-wide index; `slo` is the
  /// target that requests() counts against.
  explicit MetricsCollector(std::vector<std::int64_t> kv_blocks, SloSpec slo = {});

  /// Inline: every iteration reports through it.
  void on_iteration(const IterationStats& it) {
    LLMSIM_CHECK(it.end_ns >= it.start_ns, "an iteration ends after it starts");
    LLMSIM_CHECK(static_cast<std::size_t>(it.replica_slot) < slot_sums_.size(),
                 "iterations are reported for a known replica");
    ++iterations_;
    if (it.compute_bound) ++compute_bound_iterations_;
    busy_ns_ += it.end_ns - it.start_ns;
    SlotSums& sums = slot_sums_[static_cast<std::size_t>(it.replica_slot)];
    sums.flops += it.flops;
    sums.flops_prefill += it.flops * it.prefill_flops_share;
    sums.hbm_bytes += it.hbm_bytes;
    sums.peak_flops_while_busy += it.time_s * it.peak_flops_per_s_group;
    sums.peak_bytes_while_busy += it.time_s * it.hbm_bandwidth_bytes_per_s_group;
    sums.time_s += it.time_s;
    sums.draft_time_s += it.draft_time_s;
    verify_seqs_ += it.verify_seqs;
    verify_emitted_ += it.verify_emitted;
    prefill_tokens_ += it.prefill_tokens;
    decode_tokens_ += it.decode_tokens;
    batch_sizes_.add_integer(it.seqs);
    batch_tokens_.add_integer(it.prefill_tokens + it.decode_tokens);
  }
  /// `count` inter-token gaps of gap_ns each. Inline, as on_kv_usage(): every iteration
  /// reports through them.
  void on_itl(TimeNs gap_ns, std::int64_t count) {
    LLMSIM_CHECK(gap_ns >= 0, "inter-token gaps are non-negative");
    itl_ns_.add(static_cast<double>(gap_ns), count);
  }
  /// The replica's allocated-block count changed at `now` (time never goes backward).
  void on_kv_usage(std::int32_t replica_slot, TimeNs now, std::int64_t allocated_blocks) {
    const auto slot = static_cast<std::size_t>(replica_slot);
    LLMSIM_CHECK(slot < kv_.size(), "KV usage is reported for a known replica");
    KvTrack& kv = kv_[slot];
    LLMSIM_CHECK(now >= kv.last_ns, "time never goes backward (KV usage)");
    kv.block_ns += static_cast<double>(kv.last_allocated) * static_cast<double>(now - kv.last_ns);
    kv.last_ns = now;
    kv.last_allocated = allocated_blocks;
    kv.max_allocated = std::max(kv.max_allocated, allocated_blocks);
  }
  /// Requests waiting (queued, not running) across the run changed by `delta`.
  void on_waiting_change(std::int64_t delta);
  void on_preemption() { ++preemptions_; }
  /// A request finished (completed or rejected); see RequestTotals::add.
  void on_request_done(const RequestRecord& record) {
    requests_.add(record, slo_);
    if (keep_completions_ && record.status == RequestStatus::completed) {
      completions_.push_back({record.arrival_ns, record.first_token_ns, record.completion_ns, record.output_tokens});
    }
  }
  /// From now on, keeps the times of every completed request for completions() (a closed-loop
  /// run's steady-state window: 32 bytes a request).
  void keep_completions() { keep_completions_ = true; }
  /// The kept completions, in completion order.
  const std::vector<CompletedTimes>& completions() const { return completions_; }
  /// Folds in a request that did not finish (a run stopped early), once, at the end.
  void on_request_unfinished(const RequestRecord& record) { requests_.add(record, slo_); }

  /// Closes the time integrals at the end of the run. Called once.
  void finish(TimeNs horizon_ns);

  std::int64_t iterations() const { return iterations_; }
  std::int64_t compute_bound_iterations() const { return compute_bound_iterations_; }
  std::int64_t memory_bound_iterations() const { return iterations_ - compute_bound_iterations_; }
  std::int64_t busy_ns() const { return busy_ns_; }
  double flops() const { return total(&SlotSums::flops); }
  double flops_prefill() const { return total(&SlotSums::flops_prefill); }
  double flops_decode() const { return flops() - flops_prefill(); }
  double hbm_bytes() const { return total(&SlotSums::hbm_bytes); }
  /// Sum over iterations of time_s x peak FLOP/s: FLOPs the GPUs could have done while busy.
  double peak_flops_while_busy() const { return total(&SlotSums::peak_flops_while_busy); }
  double peak_bytes_while_busy() const { return total(&SlotSums::peak_bytes_while_busy); }
  std::int64_t prefill_tokens() const { return prefill_tokens_; }
  std::int64_t decode_tokens() const { return decode_tokens_; }
  std::int64_t preemptions() const { return preemptions_; }
  /// Speculative decoding: verify steps (one per sequence and iteration), the tokens they
  /// emitted, and the sums of iteration time and of its draft part, seconds.
  std::int64_t verify_steps() const { return verify_seqs_; }
  std::int64_t verify_emitted_tokens() const { return verify_emitted_; }
  double iteration_time_s() const { return total(&SlotSums::time_s); }
  /// The sum of iteration time of one replica (its run-wide slot), seconds.
  double slot_time_s(std::int32_t slot) const { return slot_sums_.at(static_cast<std::size_t>(slot)).time_s; }
  double draft_time_s() const { return total(&SlotSums::draft_time_s); }
  std::int64_t waiting_now() const { return waiting_now_; }
  std::int64_t max_waiting() const { return max_waiting_; }
  WeightedSamples& batch_sizes() { return batch_sizes_; }
  WeightedSamples& batch_tokens() { return batch_tokens_; }
  WeightedSamples& itl_ns() { return itl_ns_; }
  RequestTotals& requests() { return requests_; }
  std::int64_t num_replicas() const { return static_cast<std::int64_t>(kv_blocks_.size()); }
  std::int64_t kv_blocks_total() const;
  /// Mean over replicas of the time-weighted share of blocks allocated over [0, horizon].
  /// Valid after finish(); 0 for a zero horizon.
  double kv_usage_mean() const;
  /// Largest share of one replica's blocks allocated at any moment.
  double kv_usage_max() const;

 private:
  /// Floating-point sums over one replica's iterations, in its iteration order.
  struct SlotSums {
    double flops = 0.0;
    double flops_prefill = 0.0;
    double hbm_bytes = 0.0;
    double peak_flops_while_busy = 0.0;
    double peak_bytes_while_busy = 0.0;
    double time_s = 0.0;
    double draft_time_s = 0.0;
  };
  /// The sum of one field over replicas, in replica order.
  double total(double SlotSums::*field) const;

  /// One replica's KV usage over time.
  struct KvTrack {
    TimeNs last_ns = 0;                ///< when its allocated count last changed
    std::int64_t last_allocated = 0;   ///< blocks allocated since then
    double block_ns = 0.0;             ///< integral of allocated blocks over time, up to last_ns
    std::int64_t max_allocated = 0;    ///< most blocks allocated at any moment
  };

  std::vector<std::int64_t> kv_blocks_;
  std::vector<KvTrack> kv_;  ///< by replica slot
  TimeNs horizon_ns_ = 0;
  bool finished_ = false;

  std::int64_t iterations_ = 0;
  std::int64_t compute_bound_iterations_ = 0;
  std::int64_t busy_ns_ = 0;
  std::vector<SlotSums> slot_sums_;
  std::int64_t prefill_tokens_ = 0;
  std::int64_t decode_tokens_ = 0;
  std::int64_t preemptions_ = 0;
  std::int64_t verify_seqs_ = 0;
  std::int64_t verify_emitted_ = 0;
  std::int64_t waiting_now_ = 0;
  std::int64_t max_waiting_ = 0;
  WeightedSamples batch_sizes_;
  WeightedSamples batch_tokens_;
  WeightedSamples itl_ns_;
  SloSpec slo_;
  RequestTotals requests_;
  bool keep_completions_ = false;
  std::vector<CompletedTimes> completions_;
};

}  // namespace llmsim::sim
