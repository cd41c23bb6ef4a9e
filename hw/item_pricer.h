// Pricing one work item (DESIGN.md section 3): the formula the step-time model applies to
// every item of an iteration and calibration fits to measured ones.
//
//   roofline item    R(flops / F + alu_instructions / A, hbm_bytes / B)
//                    + kernels x latency + blocks x per_block
//   collective item  kernels x (latency + link_bytes / L)
//                    + kernels x (scale_out_steps x latency_out + scale_out_link_bytes / L_out)
//                    (the second line only for a collective that crosses scale-out)
//
// F = the peak FLOP/s of the operator's compute dtype x its `compute` efficiency (no term
// when the operator counts no FLOPs), A = the GPU's non-tensor lane-instruction rate (the
// software dequantisation of weight-only GEMMs, hw/weight_dequant.h: its instructions are
// issued beside the tensor-core ones, counted here as not overlapping them), B = HBM bandwidth x its `bandwidth` efficiency,
// L = the interconnect's per-GPU, per-direction bandwidth x its `bandwidth` efficiency, R the
// L_out = the scale-out link's per-GPU, per-direction bandwidth x the same `bandwidth`
// efficiency (an ASSUMPTION: no multi-node profile calibrates it), latency_out the
// hardware's scale_out_latency_us per inter-domain step, R the
// roofline of Williams, Waterman and Patterson (CACM 2009) or its rounded form
// (hw/roofline.h). The sums run left to right as written: their rounding is pinned by the
// golden runs.
#pragma once

#include "hw/bound.h"
#include "hw/operator.h"
#include "hw/priced_item.h"
#include "hw/roofline.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// One operator's achieved rates on one GPU and its fixed times.
struct OperatorRates {
  Pricing pricing = Pricing::roofline;
  bool counts_flops = false;  ///< whether flops_per_s applies
  double flops_per_s = 0.0;   ///< achieved FLOP/s (> 0 where counts_flops)
  double bytes_per_s = 0.0;   ///< achieved HBM (roofline) or link (collective) bytes/s, > 0
  double latency_s = 0.0;     ///< per kernel launch or collective call, seconds
  double per_block_s = 0.0;   ///< per thread block, seconds
  /// Non-tensor lane instructions per second (> 0 where an item of the operator has
  /// alu_instructions; 0 otherwise).
  double alu_instructions_per_s = 0.0;
  // Collectives that cross scale-out only (0 where the hardware has no scale-out link):
  double scale_out_bytes_per_s = 0.0;  ///< achieved scale-out link bytes/s per GPU
  double scale_out_latency_s = 0.0;    ///< per inter-domain step, seconds
};

/// `item` priced at `rates`, with roofline exponent `exponent` (0 or >= 1). Inline: the
/// step-time model calls it for every item of every iteration.
inline PricedItem price_item(const WorkItem& item, const OperatorRates& rates, double exponent) {
  PricedItem priced;
  priced.op = item.op;
  if (rates.pricing == Pricing::collective) {
    double per_call_s = rates.latency_s + item.link_bytes / rates.bytes_per_s;
    // Within a domain this is skipped: the sum stays the one the golden runs pin, bit for bit.
    if (item.scale_out_link_bytes > 0.0) {
      per_call_s += item.scale_out_steps * rates.scale_out_latency_s +
                    item.scale_out_link_bytes / rates.scale_out_bytes_per_s;
    }
    priced.time_s = item.kernels * per_call_s;
    priced.bound = Bound::interconnect;
    return priced;
  }
  priced.memory_s = item.hbm_bytes / rates.bytes_per_s;
  if (rates.counts_flops) {
    priced.compute_s = item.flops / rates.flops_per_s;
    // Skipped without dequantisation: the compute time stays the one the golden runs pin.
    if (item.alu_instructions > 0.0) priced.compute_s += item.alu_instructions / rates.alu_instructions_per_s;
    priced.roofline_s = roofline_time_s(priced.compute_s, priced.memory_s, exponent);
  } else {
    // No compute side: R(0, m) is m for every exponent (hw/roofline.h), to the bit.
    priced.roofline_s = priced.memory_s;
  }
  priced.time_s =
      priced.roofline_s + item.kernels * rates.latency_s + item.blocks * rates.per_block_s;
  priced.bound = priced.compute_s >= priced.memory_s ? Bound::compute : Bound::memory;
  return priced;
}

}  // namespace llmsim::hw
