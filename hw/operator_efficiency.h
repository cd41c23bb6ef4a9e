// OperatorEfficiency: what one operator achieves of a GPU's datasheet peaks, and its fixed
// times (DESIGN.md section 3). Read from the hardware YAML by operator name.
#pragma once

namespace llmsim::hw {

/// Every efficiency is a fraction in (0, 1] of the peak it applies to; every time is >= 0.
struct OperatorEfficiency {
  /// Achieved / peak FLOP/s of the dtype the operator computes in (hw/compute_dtypes.h).
  /// Unused by operators that count no FLOPs (elementwise, collectives).
  double compute = 1.0;
  /// Achieved / peak bandwidth: HBM for a roofline operator, the interconnect (bus
  /// bandwidth, per GPU and direction) for a collective.
  double bandwidth = 1.0;
  /// Fixed time of one kernel launch (roofline operators) or one call (collectives), seconds.
  double latency_s = 0.0;
  /// Fixed time of one thread block, seconds, for operators whose items count blocks
  /// (decode attention: one block per sequence and query head per layer, as vLLM's
  /// paged_attention_v1 launches grid(num_heads, num_seqs)).
  double per_block_s = 0.0;
};

}  // namespace llmsim::hw
