// IterationPlan: what one replica iteration runs, decided at its start.
#pragma once

#include <cstdint>
#include <vector>

#include "hw/step_time_model.h"
#include "sim/engine/sequence.h"

namespace llmsim::sim {

/// Why the admission of waiting requests stopped while planning an iteration.
enum class AdmissionStop {
  not_tried,     ///< not attempted (a preemption in step 1, or a prefill-only iteration)
  queue_empty,   ///< every waiting request was admitted (or none waited)
  max_num_seqs,  ///< max_num_seqs requests run
  token_budget,  ///< no token budget left (chunked), or the head's whole prompt exceeds it
  kv_blocks,     ///< the head needs more free KV blocks than there are
};

/// One sequence's part of an iteration: new_tokens on top of context_tokens cached ones.
struct ScheduledSeq {
  std::int32_t slot = 0;  ///< the replica's sequence slot
  RequestIndex request = 0;
  std::int64_t new_tokens = 0;
  std::int64_t context_tokens = 0;
  bool decode = false;   ///< a decode step (one token after the last sampled one)
  bool samples = false;  ///< the iteration samples a token for it
};

struct IterationPlan {
  std::int64_t index = 0;  ///< the replica's iteration counter, 0, 1, 2, ...
  workloads::TimeNs start_ns = 0;
  workloads::TimeNs end_ns = 0;
  std::vector<ScheduledSeq> seqs;  ///< running requests first (admission order), then admitted ones
  /// Decode-group members that decode one token each in it, not listed in `seqs` (Replica:
  /// decode groups); the batch holds seqs.size() + group_seqs sequences. 0 in plan_iteration().
  std::int64_t group_seqs = 0;
  hw::BatchShape shape;
  std::int64_t prefill_sampled_seqs = 0;  ///< prefill sequences that sample (finish their prompt)
  hw::StepTotals cost;
  double prefill_flops_share = 0.0;  ///< of cost.flops, by the precise method's split
  std::int64_t preempted = 0;        ///< preemptions made while planning it
  std::int64_t admitted = 0;         ///< waiting requests admitted into it
  std::int64_t finishing_seqs = 0;   ///< sequences whose last token it samples
  AdmissionStop admission_stop = AdmissionStop::not_tried;
};

}  // namespace llmsim::sim
