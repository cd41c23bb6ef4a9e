// StepTimeModel: prices one iteration of a replica (DESIGN.md section 3). The work model
// turns the batch into operator work items (hw/iteration_work_model.h); each item is priced
// on its operator's achieved rates (hw/item_pricer.h: a roofline on the GPU, or the fabric
// for a collective); one loop sums them and adds the fixed per-iteration cost.
#pragma once

#include <array>
#include <vector>

#include "core/model_spec.h"
#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/bound.h"
#include "hw/hardware_spec.h"
#include "hw/host_time.h"
#include "hw/item_pricer.h"
#include "hw/iteration_work_model.h"
#include "hw/operator.h"
#include "hw/parallelism.h"
#include "hw/precision.h"
#include "hw/priced_item.h"
#include "hw/step_cost.h"
#include "hw/work_item.h"
#include "hw/work_item_list.h"

namespace llmsim::hw {

/// Precondition: tensor_parallel >= 1 and divides num_attention_heads and num_kv_heads
/// (or num_kv_heads < tensor_parallel, in which case KV heads are replicated).
/// The constructor throws core::InputError when it does not, when the GPU has no peak for
/// a compute dtype an operator needs (hw/compute_dtypes.h), when the tensor-parallel group
/// does not fit the hardware's fabric (hw::Fabric::group_problem), when the pipeline,
/// attention-data or expert layout is refused (hw::parallel_layout_problem), or when the hardware's
/// bandwidths, efficiencies or fixed times are out of range.
class StepTimeModel {
 public:
  /// `host`: the serving engine's CPU time per iteration (none by default: the GPU alone).
  StepTimeModel(const core::ModelSpec& model, const HardwareSpec& hardware, Precision precision,
                Parallelism parallelism, HostTime host = {});

  /// Prices one iteration: price(work(batch)) under tensor parallelism alone, else
  /// price_pipelined(batch). An empty batch costs nothing (time 0, no overhead). Aborts
  /// when a field of `batch` is negative.
  StepCost price(const BatchShape& batch) const;

  /// One iteration of a replica with pipeline, attention-data or expert parallelism
  /// (step_time_model_parallel.cpp): the batch split evenly into m micro-batches (m = PP
  /// when it has that many sequences, else one per sequence; 1 without PP) and each
  /// micro-batch over the DP ranks; every stage priced for the busiest rank's share
  /// (counts rounded up, the busiest EP GPU's routed load) by IterationWorkModel::stage_items,
  /// plus its per-layer fixed time. The iteration is every micro-batch advancing one step:
  ///   GPU time = max(sum over stages t_s, m x max_s t_s)
  /// (one micro-batch's pass through the pipeline, or the slowest stage processing all m
  /// in turn), combined with the host time as price() does. FLOPs and bytes are the mean
  /// rank's, summed over the GPUs of every stage and the micro-batches; items are the
  /// slowest stage's.
  StepCost price_pipelined(const BatchShape& batch) const;

  /// The pricing loop: every item of `items`, in order, priced by price_item, recorded in
  /// StepCost::items and summed by a StepSum (hw/step_sum.h: time, FLOPs and HBM bytes from
  /// 0.0 in list order, roofline time into a compute or memory tally by each item's bound,
  /// the per-iteration overhead added last, FLOPs and bytes scaled from one GPU to the
  /// replica). Any item list prices: the work model's, or another (a synthetic one, an
  /// operator the work model does not emit yet).
  /// `seqs`: the sequences the items are for, which the engine's per-sequence host time
  /// multiplies (0 for a list that stands for no batch).
  StepCost price(const WorkItemList& items, std::int64_t seqs = 0) const;

  /// The work model's items for `batch` (one GPU), in pricing order.
  WorkItemList work(const BatchShape& batch) const { return work_model_.items(batch); }

  /// One item priced at its operator's rates on this GPU. Inline: every item of every
  /// iteration goes through it.
  PricedItem price_item(const WorkItem& item) const {
    return hw::price_item(item, rates_[index(item.op)], roofline_exponent_);
  }
  /// Operator `op`'s achieved rates and fixed times on this GPU.
  const OperatorRates& rates(Operator op) const { return rates_[index(op)]; }

  /// Peak FLOP/s of the GEMMs' compute dtype times the number of GPUs: the MFU denominator.
  double peak_flops_per_s_group() const;
  /// HBM bandwidth times the number of GPUs: the bandwidth-utilisation denominator.
  double hbm_bandwidth_group() const;
  const Parallelism& parallelism() const { return parallelism_; }
  const IterationWorkModel& work_model() const { return work_model_; }
  /// per_layer_overhead_s x layers: fixed GPU time per iteration, seconds.
  double gpu_fixed_s() const { return gpu_fixed_s_; }
  /// The engine's CPU time per iteration, combined with the GPU time by StepSum::totals.
  const HostTime& host() const { return host_; }
  /// The pipeline stages (one, of every layer, without pipeline parallelism).
  const std::vector<StageSlice>& stages() const { return stages_; }

 private:
  Parallelism parallelism_;
  double hbm_bandwidth_bytes_per_s_;
  IterationWorkModel work_model_;
  double gemm_peak_flops_per_s_ = 0.0;  ///< one GPU, the dtype the QKV/O/MLP GEMMs run in
  std::array<OperatorRates, kNumOperators> rates_{};  ///< by hw::index(Operator)
  double roofline_exponent_ = 0.0;
  double gpu_fixed_s_ = 0.0;  ///< per_layer_overhead_s x layers
  HostTime host_;
  std::vector<StageSlice> stages_;
  double per_layer_overhead_s_ = 0.0;
  int sm_count_ = 0;  ///< HardwareSpec::sm_count (two-batch overlap's DeepEP SM share)
};

}  // namespace llmsim::hw
