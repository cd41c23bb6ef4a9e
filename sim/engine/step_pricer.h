// StepPricer: what a replica asks for the cost of one iteration. The seam between the
// scheduler and hw::StepTimeModel, so tests can inject hand-checkable prices.
#pragma once

#include "hw/batch_shape.h"
#include "hw/step_cost.h"

namespace llmsim::sim {

class StepPricer {
 public:
  virtual ~StepPricer() = default;

  /// The totals of one iteration's cost for the whole tensor-parallel group (a replica
  /// reads no per-class time). An empty batch is never asked for. time_s must be >= 0;
  /// flops and hbm_bytes are summed over the group.
  virtual hw::StepTotals price(const hw::BatchShape& batch) const = 0;

  /// Peak FLOP/s of the group (the MFU denominator), > 0.
  virtual double peak_flops_per_s_group() const = 0;
  /// HBM bandwidth of the group, bytes/s (the bandwidth-utilisation denominator), > 0.
  virtual double hbm_bandwidth_bytes_per_s_group() const = 0;
};

}  // namespace llmsim::sim
