// StepSum: the sums of one iteration's price, the one place they are written (DESIGN.md
// section 3). Every pricing path feeds it each item, in pricing order.
#pragma once

#include "hw/bound.h"
#include "hw/host_time.h"
#include "hw/priced_item.h"
#include "hw/step_cost.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// Sums from 0.0, in the order add() is called (the order golden runs pin: a floating-point
/// sum's rounding depends on it): time, one GPU's FLOPs and HBM bytes, and each item's
/// roofline time into the compute or memory tally by the bound that won it (a collective's
/// into neither).
class StepSum {
 public:
  void add(const WorkItem& work, const PricedItem& priced) {
    time_s_ += priced.time_s;
    flops_ += work.flops;
    hbm_bytes_ += work.hbm_bytes;
    if (priced.bound == Bound::compute) compute_bound_s_ += priced.roofline_s;
    if (priced.bound == Bound::memory) memory_bound_s_ += priced.roofline_s;
  }

  /// The items' time so far, seconds.
  double items_s() const { return time_s_; }

  /// The totals: the GPU time (the items plus `gpu_fixed_s`, seconds) combined with the
  /// engine's `host` time for `seqs` sequences (hw/host_time.h), FLOPs and bytes times `gpus`
  /// (one GPU's to the replica's), and the bound whose tally is larger (memory on a tie).
  StepTotals totals(double gpu_fixed_s, const HostTime& host, double seqs, double gpus) const {
    return StepTotals{host.step_s(time_s_ + gpu_fixed_s, seqs), flops_ * gpus, hbm_bytes_ * gpus,
                      compute_bound_s_ > memory_bound_s_ ? Bound::compute : Bound::memory};
  }

 private:
  double time_s_ = 0.0;
  double flops_ = 0.0;      ///< one GPU
  double hbm_bytes_ = 0.0;  ///< one GPU
  double compute_bound_s_ = 0.0;
  double memory_bound_s_ = 0.0;
};

}  // namespace llmsim::hw
