// TtcUsageRecorder: who used the GPUs, per request and per pool, for test-time-compute
// accounting (GPU-seconds by pool, executed tokens, PRM share of GPU time).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/metrics/iteration_observer.h"

namespace llmsim::sim {

/// An iteration of d seconds on a replica of tp GPUs costs d x tp GPU-seconds. It is split
/// over the batch's sequences in proportion to the new tokens each computes (a decode step
/// counts 1, a prompt chunk its length): the iteration's time is mostly proportional to its
/// tokens (compute-bound prefill) or shared evenly (memory-bound decode, one token each).
/// Parallel samples of one request report to its record, so a request's GPU-seconds cover
/// all its samples.
class TtcUsageRecorder final : public IterationObserver {
 public:
  /// tensor_parallel[p] = GPUs per replica of pool p (>= 1).
  explicit TtcUsageRecorder(std::vector<int> tensor_parallel);

  void on_iteration_end(const IterationView& view) override;
  /// It shares each iteration's GPU time among the requests of plan->seqs, token by token.
  bool needs_every_sequence() const override { return true; }

  /// Of the request with that record index; 0 for one that never ran.
  double gpu_seconds(std::size_t request) const;
  /// Prompt tokens computed for it (recomputation after preemption included, cache hits not).
  std::int64_t prefill_tokens(std::size_t request) const;

  double pool_busy_gpu_seconds(std::size_t pool) const { return busy_gpu_seconds_[pool]; }
  std::int64_t pool_prefill_tokens(std::size_t pool) const { return prefill_tokens_pool_[pool]; }
  std::int64_t pool_decode_tokens(std::size_t pool) const { return decode_tokens_pool_[pool]; }
  double pool_step_model_flops(std::size_t pool) const { return flops_pool_[pool]; }

 private:
  std::vector<int> tensor_parallel_;
  std::vector<double> busy_gpu_seconds_;
  std::vector<std::int64_t> prefill_tokens_pool_;
  std::vector<std::int64_t> decode_tokens_pool_;
  std::vector<double> flops_pool_;
  std::vector<double> gpu_seconds_;          ///< by record index
  std::vector<std::int64_t> prefill_tokens_; ///< by record index
};

}  // namespace llmsim::sim
