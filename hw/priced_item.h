// PricedItem: one work item's time and the bound that won it.
#pragma once

#include "hw/bound.h"
#include "hw/operator.h"

namespace llmsim::hw {

struct PricedItem {
  Operator op = Operator::gemm;  ///< the item's operator (its work: StepTimeModel::work)
  /// compute when compute_s >= memory_s, else memory; interconnect for a collective.
  Bound bound = Bound::memory;
  double compute_s = 0.0;   ///< flops / achieved FLOP/s, seconds (0 where FLOPs are not priced)
  double memory_s = 0.0;    ///< hbm_bytes / achieved HBM bandwidth, seconds (0 for collectives)
  /// R(compute_s, memory_s) (hw/roofline.h), seconds: what an iteration's bound weighs
  /// (0 for collectives).
  double roofline_s = 0.0;
  /// The item's time, seconds: roofline_s + kernels x latency + blocks x per-block time,
  /// or for a collective calls x (latency + link bytes / achieved link bandwidth).
  double time_s = 0.0;
};

}  // namespace llmsim::hw
