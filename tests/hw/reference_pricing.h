// The price of an iteration written out the way golden runs were priced before work items
// existed (StepTimeModel::combine at bbfc3bb): seven operator classes in a fixed order, every
// sum from 0.0, a batch without prefill work priced with no prefill at all. A reference for
// the one pricing loop: it must give the same bits, or the golden summaries move.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "hw/batch_shape.h"
#include "hw/bound.h"
#include "hw/item_pricer.h"
#include "hw/roofline.h"
#include "hw/step_time_model.h"
#include "hw/work_item.h"
#include "hw/work_item_list.h"

namespace llmsim::hw::test {

/// The totals of the reference price.
struct ReferenceTotals {
  double time_s = 0.0;
  double flops = 0.0;
  double hbm_bytes = 0.0;
  Bound bound = Bound::memory;
};

namespace detail {

struct ReferenceOp {
  double time_s = 0.0;
  double roofline_s = 0.0;
  bool compute_bound = false;
};

inline ReferenceOp reference_roofline(const WorkItem& w, double flops_per_s, double bytes_per_s,
                                      double exponent, double fixed_s, double alu_per_s = 0.0) {
  double compute_s = w.flops / flops_per_s;
  // Weight-only dequantisation (hw/weight_dequant.h), added as hw/item_pricer.h adds it.
  if (w.alu_instructions > 0.0) compute_s += w.alu_instructions / alu_per_s;
  const double memory_s = w.hbm_bytes / bytes_per_s;
  const double roofline_s = roofline_time_s(compute_s, memory_s, exponent);
  return ReferenceOp{roofline_s + fixed_s, roofline_s, compute_s >= memory_s};
}

}  // namespace detail

/// Non-empty `batch` priced by the bbfc3bb formulas, with the work of model.work(batch),
/// `model`'s per-operator rates, roofline exponent `exponent` and per-iteration `overhead_s`:
/// the reference checks the order of every sum and the form of every item's time.
inline ReferenceTotals reference_price(const StepTimeModel& model, const BatchShape& batch,
                                       double exponent, double overhead_s) {
  const WorkItemList items = model.work(batch);
  const auto of = [&items](Operator op) { return work_of(items, op); };
  const OperatorRates& g = model.rates(Operator::gemm);
  const OperatorRates& pre = model.rates(Operator::attention_prefill);
  const OperatorRates& dec = model.rates(Operator::attention_decode);
  const OperatorRates& el = model.rates(Operator::elementwise);
  const OperatorRates& lm = model.rates(Operator::lm_head);
  const OperatorRates& ar = model.rates(Operator::allreduce);
  const double k = exponent;

  const WorkItem gw = of(Operator::gemm);
  const detail::ReferenceOp gemm =
      detail::reference_roofline(gw, g.flops_per_s, g.bytes_per_s, k, gw.kernels * g.latency_s,
                                 g.alu_instructions_per_s);
  const WorkItem pw = of(Operator::attention_prefill);
  const bool no_prefill = pw.flops == 0.0 && pw.hbm_bytes == 0.0 && pw.kernels == 0.0;
  const detail::ReferenceOp prefill =
      no_prefill ? detail::ReferenceOp{0.0, 0.0, true}
                 : detail::reference_roofline(pw, pre.flops_per_s, pre.bytes_per_s, k,
                                              pw.kernels * pre.latency_s);
  const WorkItem dw = of(Operator::attention_decode);
  detail::ReferenceOp decode = detail::reference_roofline(dw, dec.flops_per_s, dec.bytes_per_s, k,
                                                          dw.kernels * dec.latency_s);
  decode.time_s += dw.blocks * dec.per_block_s;
  const WorkItem ew = of(Operator::elementwise);
  const double elementwise_memory_s = ew.hbm_bytes / el.bytes_per_s;
  const detail::ReferenceOp elementwise{elementwise_memory_s + ew.kernels * el.latency_s,
                                        elementwise_memory_s, false};
  const WorkItem hw = of(Operator::lm_head);
  const detail::ReferenceOp lm_head =
      detail::reference_roofline(hw, lm.flops_per_s, lm.bytes_per_s, k, hw.kernels * lm.latency_s);
  const WorkItem aw = of(Operator::allreduce);
  const double allreduce_s =
      aw.kernels > 0.0 ? aw.kernels * (ar.latency_s + aw.link_bytes / ar.bytes_per_s) : 0.0;

  ReferenceTotals totals;
  totals.time_s = 0.0 + gemm.time_s + prefill.time_s + decode.time_s + elementwise.time_s +
                  lm_head.time_s + allreduce_s + overhead_s;
  const double flops = 0.0 + gw.flops + pw.flops + dw.flops + ew.flops + hw.flops;
  const double bytes =
      0.0 + gw.hbm_bytes + pw.hbm_bytes + dw.hbm_bytes + ew.hbm_bytes + hw.hbm_bytes;
  double compute_s = 0.0;
  double memory_s = 0.0;
  const std::array<const detail::ReferenceOp*, 5> ops = {&gemm, &prefill, &decode, &elementwise,
                                                         &lm_head};
  for (const detail::ReferenceOp* op : ops) {
    (op->compute_bound ? compute_s : memory_s) += op->roofline_s;
  }
  const double gpus = model.parallelism().gpus();
  totals.flops = flops * gpus;
  totals.hbm_bytes = bytes * gpus;
  totals.bound = compute_s > memory_s ? Bound::compute : Bound::memory;
  return totals;
}

inline std::uint64_t bits_of(double value) { return std::bit_cast<std::uint64_t>(value); }

/// Whether `cost`'s totals are the reference's to the bit (the sign of a zero included).
template <typename Totals>
bool same_bits(const Totals& cost, const ReferenceTotals& reference) {
  return bits_of(cost.time_s) == bits_of(reference.time_s) &&
         bits_of(cost.flops) == bits_of(reference.flops) &&
         bits_of(cost.hbm_bytes) == bits_of(reference.hbm_bytes) && cost.bound == reference.bound;
}

}  // namespace llmsim::hw::test
