// StepTimeModel: prices one iteration of a replica (a tensor-parallel group) with a
// roofline per operator class (DESIGN.md section 3).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/dtype.h"
#include "core/model_spec.h"
#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/hardware_spec.h"
#include "hw/iteration_work.h"
#include "hw/iteration_work_model.h"
#include "hw/parallelism.h"
#include "hw/precision.h"

namespace llmsim::hw {

enum class OpClass {
  gemm,               ///< QKV, O and MLP/expert projections
  attention_prefill,  ///< causal attention over prompt chunks
  attention_decode,   ///< one query per sequence over its KV cache
  elementwise,        ///< norms, rotary, activation function, residual adds
  lm_head,            ///< output projection for sampled positions
  allreduce,          ///< tensor-parallel communication
  overhead,           ///< fixed per-layer and per-iteration costs
};
inline constexpr std::size_t kNumOpClasses = 7;
std::string_view to_string(OpClass op);

/// Which side of the roofline dominated an iteration: the one whose operators (those
/// where compute time >= memory time count as compute) account for more of the time.
enum class Bound { compute, memory };

/// The totals of one iteration's price for the whole tensor-parallel group: what a
/// simulator reads of it.
struct StepTotals {
  double time_s = 0.0;   ///< wall time of the iteration, seconds
  double flops = 0.0;    ///< FLOPs executed, summed over the TP group's GPUs
  double hbm_bytes = 0.0;  ///< HBM bytes moved, summed over the TP group's GPUs
  Bound bound = Bound::memory;
};

/// The price of one iteration for the whole tensor-parallel group: its totals and how the
/// time splits over operator classes.
struct StepCost : StepTotals {
  std::array<double, kNumOpClasses> op_time_s{};  ///< per operator class, seconds
};

/// One roofline operator class of an iteration, priced: what StepTimeModel adds into a
/// StepCost for it.
struct PricedOp {
  OperatorWork work;           ///< one GPU's FLOPs and bytes
  double time_s = 0.0;         ///< roofline time plus fixed per-kernel times, seconds
  double roofline_s = 0.0;     ///< the roofline time alone, seconds (what Bound weighs)
  bool compute_bound = false;  ///< compute time >= memory time
};

/// The operator classes whose price depends on T = total new tokens alone.
struct TokenTerms {
  PricedOp gemm;
  PricedOp elementwise;  ///< no FLOPs counted: memory-bound whatever T is
  double allreduce_s = 0.0;
};

/// What the price of a decode-only iteration (BatchShape::decode_only) of B sequences takes
/// from B alone, so that StepTimeModel::price_decode_only does only the arithmetic that
/// depends on its decode_kv_tokens. StepTimeModel::combine sums every total left to right
/// from 0.0 in a fixed order; a sum is stored here split at its decode-attention term: the
/// partial sum of the terms before it, and the terms after it, in order.
struct DecodeOnlyTerms {
  // The B-dependent parts of the decode-attention time, seconds.
  double decode_kernel_s = 0.0;     ///< decode kernels x attention_decode_kernel_latency_s
  double decode_seq_heads_s = 0.0;  ///< (sequence, head) blocks x attention_decode_per_seq_head_s

  // combine's sums up to the decode-attention term: 0.0 + gemm + attention_prefill.
  double time_before_decode_s = 0.0;
  double flops_before_decode = 0.0;      ///< one GPU
  double hbm_bytes_before_decode = 0.0;  ///< one GPU
  double compute_s_before_decode = 0.0;  ///< roofline time of the compute-bound operators
  double memory_s_before_decode = 0.0;   ///< roofline time of the memory-bound operators

  // The terms combine adds after the decode-attention term, in its order.
  std::array<double, 4> time_after_decode_s{};  ///< elementwise, lm_head, allreduce, overhead
  std::array<double, 2> flops_after_decode{};     ///< elementwise, lm_head; one GPU
  std::array<double, 2> hbm_bytes_after_decode{};  ///< elementwise, lm_head; one GPU
  /// elementwise, lm_head: the roofline time where the operator is compute-bound, else
  /// +0.0 (adding +0.0 to a tally, a sum from +0.0 of times >= 0, changes no bit).
  std::array<double, 2> compute_s_after_decode{};
  std::array<double, 2> memory_s_after_decode{};  ///< as compute_s_after_decode, memory-bound

  /// The price's op_time_s, but for attention_decode (0 here): it depends on the keys.
  std::array<double, kNumOpClasses> op_time_s{};
};

/// Precondition: tensor_parallel >= 1 and divides num_attention_heads and num_kv_heads
/// (or num_kv_heads < tensor_parallel, in which case KV heads are replicated).
/// The constructor throws core::InputError when it does not, when the GPU has no peak for
/// a compute dtype the precision needs, or when the hardware's bandwidths, efficiencies or
/// overheads are out of range. Formulas: iteration_work_model.h (work) and
/// step_time_model.cpp (rates and time).
class StepTimeModel {
 public:
  StepTimeModel(const core::ModelSpec& model, const HardwareSpec& hardware, Precision precision,
                Parallelism parallelism);

  /// Prices one iteration. An empty batch costs nothing (time 0); any other costs
  /// combine(batch, token_terms(T), head_terms(batch.sampled_seqs)), T the batch's total
  /// new tokens.
  StepCost price(const BatchShape& batch) const;

  // price() in parts, for a caller that memoises the parts indexed by one integer
  // (hw/memoised_step_pricer.h); pure functions of their arguments.

  /// gemm, elementwise and allreduce of an iteration of `tokens` new tokens (>= 0).
  TokenTerms token_terms(std::int64_t tokens) const;
  /// lm_head of an iteration where `sampled` (>= 0) sequences sample.
  PricedOp head_terms(std::int64_t sampled) const;
  /// The cost of non-empty `batch`, given token_terms(batch.total_new_tokens()) and
  /// head_terms(batch.sampled_seqs) of this model: prices attention and sums every class
  /// in a fixed order, so the result is bit for bit price(batch). Aborts when a field of
  /// `batch` is negative.
  StepCost combine(const BatchShape& batch, const TokenTerms& tokens, const PricedOp& head) const;

  // price() of a decode-only batch (BatchShape::decode_only) in two parts, for a caller that
  // memoises the first by batch size: for every such batch,
  //   price_decode_only(decode_only_terms(batch.decode_seqs), batch.decode_kv_tokens)
  // is bit for bit price(batch).

  /// The part of a decode-only iteration's price that depends on its `decode_seqs` (>= 1;
  /// aborts otherwise) alone. A pure function of its argument.
  DecodeOnlyTerms decode_only_terms(std::int64_t decode_seqs) const;
  /// The cost of a decode-only iteration whose sequences have `terms`
  /// (decode_only_terms(B)) and attend `decode_kv_tokens` keys in all. Aborts when
  /// decode_kv_tokens is negative (or NaN), as combine does.
  StepCost price_decode_only(const DecodeOnlyTerms& terms, double decode_kv_tokens) const;
  /// price_decode_only's totals alone, bit for bit: without the per-class times, which a
  /// simulator's iterations do not read (sim::StepPricer).
  StepTotals price_decode_only_totals(const DecodeOnlyTerms& terms, double decode_kv_tokens) const;

  /// Peak FLOP/s of the compute dtype times the number of GPUs: the MFU denominator.
  double peak_flops_per_s_group() const;
  /// HBM bandwidth times the number of GPUs: the bandwidth-utilisation denominator.
  double hbm_bandwidth_group() const;
  const Parallelism& parallelism() const { return parallelism_; }

  /// The per-GPU FLOPs and bytes behind price(), per operator class: the regressors a
  /// calibration fits the Efficiencies against.
  IterationWork work(const BatchShape& batch) const;

 private:
  /// A decode-only iteration's totals and the decode-attention time among them: the one
  /// computation behind price_decode_only and price_decode_only_totals.
  struct DecodeOnlyPrice {
    StepTotals totals;
    double decode_time_s;
  };
  DecodeOnlyPrice decode_only_price(const DecodeOnlyTerms& terms, double decode_kv_tokens) const;

  core::ModelSpec model_;
  HardwareSpec hardware_;
  Precision precision_;
  Parallelism parallelism_;
  core::ParameterCounts params_;
  IterationWorkModel work_model_;
  double gemm_peak_flops_per_s_;       ///< one GPU, the dtype the QKV/O/MLP GEMMs run in
  double lm_head_peak_flops_per_s_;    ///< one GPU, the dtype the LM head runs in
  double attention_peak_flops_per_s_;  ///< one GPU, the dtype attention runs in
  // Rates and times the pricing uses for every iteration, computed once.
  double attention_flops_per_s_ = 0.0;  ///< attention_peak_flops_per_s_ x attention_prefill_efficiency
  double memory_bytes_per_s_ = 0.0;     ///< HBM x memory_bandwidth_efficiency (GEMMs, prefill attention, LM head)
  double decode_bytes_per_s_ = 0.0;     ///< HBM x attention_decode_bandwidth_efficiency
  double overhead_s_ = 0.0;             ///< per_iteration_overhead_s + per_layer_overhead_s x layers
};

}  // namespace llmsim::hw
