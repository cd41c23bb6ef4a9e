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
  /// Speculative decoding: a decode step that verifies draft_tokens drafted tokens beside
  /// the last sampled one (new_tokens = draft_tokens + 1), of which the leading `accepted`
  /// were drawn as accepted; it emits accepted + 1 tokens (the bonus token included).
  /// 0 for every other step.
  std::int64_t draft_tokens = 0;
  std::int64_t accepted = 0;
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
  /// Seconds of loading offloaded prefix blocks of the requests it admits
  /// (KvOffloadTiers::load), before its forward pass; part of cost.time_s. 0 without offload.
  double offload_load_s = 0.0;

  // Speculative decoding (sim/engine/speculative.h); all 0 without it. Verify steps are in
  // `shape` as its verify rows (hw::BatchShape: decode steps of draft_tokens + 1 query tokens
  // over their cached context), neither in its prefill nor its one-token decode fields.
  std::int64_t verify_seqs = 0;            ///< decode steps with drafts (= shape.verify_seqs)
  std::int64_t verify_tokens = 0;          ///< their new tokens, sum of draft_tokens + 1 (= shape.verify_tokens)
  std::int64_t verify_context_tokens = 0;  ///< their cached tokens, sum of context_tokens
  std::int64_t verify_emitted = 0;         ///< tokens they emit, sum of accepted + 1
  /// draft_pass_seqs[j]: sequences that draft a (j+1)-th token (draft pass j), or for a
  /// tree the rows of pass j (1 per sequence in pass 0, tree_top_k in later ones);
  /// draft_pass_keys[j]: the keys they attend in it, sum over rows of context_tokens + 1 + j.
  std::vector<std::int64_t> draft_pass_seqs;
  std::vector<double> draft_pass_keys;
  /// parallel_drafting: the one draft pass of every drafting sequence, each a chunk of its
  /// drafts over its context + 1 keys (draft_pass_* then stay 0).
  hw::BatchShape parallel_draft_shape;
  double draft_time_s = 0.0;  ///< the draft passes' part of cost.time_s
  double draft_flops = 0.0;   ///< the draft passes' part of cost.flops
  double draft_hbm_bytes = 0.0;  ///< the draft passes' part of cost.hbm_bytes
};

}  // namespace llmsim::sim
