// Rates and time: achieved rate = datasheet peak x efficiency (hw/hardware_spec.h), and
// per operator class time = R(flops / achieved FLOP/s, bytes / achieved bandwidth) plus
// fixed per-kernel times, where R is the roofline of Williams, Waterman and Patterson
// (CACM 2009) applied per operator as in DESIGN.md section 3: max(c, m), or with
// roofline_exponent k >= 1 its rounded form (c^k + m^k)^(1/k) (hw/roofline.h). The work
// itself (FLOPs, bytes, kernel counts) is IterationWorkModel's.
//
//   gemm              R(F / (P_gemm x gemm_compute_efficiency),
//                       B / (HBM x memory_bandwidth_efficiency))
//                     + gemm_kernels x gemm_kernel_latency_s
//   attention_prefill R(F / (P_16 x attention_prefill_efficiency),
//                       B / (HBM x memory_bandwidth_efficiency))
//                     + prefill kernels x attention_prefill_kernel_latency_s
//   attention_decode  R(F / (P_16 x attention_prefill_efficiency),
//                       B / (HBM x attention_decode_bandwidth_efficiency))
//                     + decode kernels x attention_decode_kernel_latency_s
//                     + decode seqs x query heads per GPU x layers x attention_decode_per_seq_head_s
//   elementwise       B / (HBM x elementwise_bandwidth_efficiency)
//                     + elementwise_kernels x elementwise_kernel_latency_s
//   lm_head           R(F / (P_head x gemm_compute_efficiency),
//                       B / (HBM x memory_bandwidth_efficiency)) + gemm_kernel_latency_s
//   allreduce         calls x (allreduce_latency_s + 2 (p-1)/p x payload /
//                         (interconnect x allreduce_bandwidth_efficiency))
//   overhead          per_iteration_overhead_s + per_layer_overhead_s x layers
//
// Ring all-reduce moves 2(p-1)/p of the payload over each GPU's link (NCCL's "bus
// bandwidth", nccl-tests doc/PERFORMANCE.md), the interconnect figure being per GPU and
// direction. The GEMMs of one iteration all see the same T tokens, so one roofline over
// their sum is close to the sum of per-GEMM rooflines (their compute/memory ratios are all
// about T x HBM / peak). With roofline_exponent 0, once it is known which side bound each
// operator, time is linear in every 1/efficiency and in the fixed times.
//
// Compute dtypes (hw/compute_dtypes.h): GEMMs in fp8 only with fp8 weights on a GPU with
// an fp8 peak (an A100 runs fp8 weights as weight-only W8A16 at its bf16 peak), int8/int4
// weight-only at bf16; attention always, and the LM head when the weights are quantised,
// at the unquantised (bf16, or fp32 for fp32 activations) peak. The efficiencies are the
// same fractions of whichever peak applies.
#include "hw/step_time_model.h"

#include <array>
#include <cstddef>
#include <string>

#include "core/input_error.h"
#include "core/invariant.h"
#include "hw/compute_dtypes.h"
#include "hw/roofline.h"

namespace llmsim::hw {
namespace {

/// Peak FLOP/s of one GPU in `dtype`; throws when the GPU has none.
double required_peak(const HardwareSpec& hardware, core::DType dtype, const char* user) {
  const std::optional<double> peak = hardware.peak_flops_per_s(dtype);
  if (!peak || *peak <= 0.0) {
    throw core::InputError("hardware " + hardware.id + " has no " +
                           std::string(core::to_string(dtype)) + " peak FLOP/s, which " + user +
                           " needs");
  }
  return *peak;
}

void check_positive(double value, const std::string& hardware_id, const char* field) {
  if (!(value > 0.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field + " must be positive, got " +
                           std::to_string(value));
  }
}

void check_fraction(double value, const std::string& hardware_id, const char* field) {
  if (!(value > 0.0 && value <= 1.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field + " must be in (0, 1], got " +
                           std::to_string(value));
  }
}

void check_non_negative(double value, const std::string& hardware_id, const char* field) {
  if (!(value >= 0.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field +
                           " must not be negative, got " + std::to_string(value));
  }
}

void check_hardware(const HardwareSpec& hardware, int tensor_parallel) {
  const std::string& id = hardware.id;
  const Efficiencies& e = hardware.efficiency;
  check_positive(hardware.hbm_bandwidth_bytes_per_s, id, "hbm_bandwidth_bytes_per_s");
  check_fraction(e.gemm_compute_efficiency, id, "gemm_compute_efficiency");
  check_fraction(e.memory_bandwidth_efficiency, id, "memory_bandwidth_efficiency");
  check_fraction(e.attention_prefill_efficiency, id, "attention_prefill_efficiency");
  check_fraction(e.attention_decode_bandwidth_efficiency, id,
                 "attention_decode_bandwidth_efficiency");
  check_non_negative(e.per_layer_overhead_s, id, "per_layer_overhead_s");
  check_non_negative(e.per_iteration_overhead_s, id, "per_iteration_overhead_s");
  if (!(e.roofline_exponent == 0.0 || e.roofline_exponent >= 1.0)) {
    throw core::InputError("hardware " + id + ": roofline_exponent must be 0 or >= 1, got " +
                           std::to_string(e.roofline_exponent));
  }
  check_non_negative(e.gemm_kernel_latency_s, id, "gemm_kernel_latency_s");
  check_fraction(e.elementwise_bandwidth_efficiency, id, "elementwise_bandwidth_efficiency");
  check_non_negative(e.elementwise_kernel_latency_s, id, "elementwise_kernel_latency_s");
  check_non_negative(e.attention_prefill_kernel_latency_s, id,
                     "attention_prefill_kernel_latency_s");
  check_non_negative(e.attention_decode_kernel_latency_s, id, "attention_decode_kernel_latency_s");
  check_non_negative(e.attention_decode_per_seq_head_s, id, "attention_decode_per_seq_head_s");
  if (tensor_parallel > 1) {
    check_positive(hardware.interconnect_bandwidth_bytes_per_s, id,
                   "interconnect_bandwidth_bytes_per_s (tensor_parallel > 1)");
    check_fraction(e.allreduce_bandwidth_efficiency, id, "allreduce_bandwidth_efficiency");
    check_non_negative(e.allreduce_latency_s, id, "allreduce_latency_s");
  }
}

/// Compute-bound and memory-bound operator time of one iteration, seconds.
struct BoundTally {
  double compute_s = 0.0;
  double memory_s = 0.0;
};

/// `work` priced on the roofline: roofline_time_s(flops / flops_per_s, hbm_bytes /
/// bytes_per_s, exponent), plus `fixed_s` (the operator's fixed per-kernel time, seconds).
/// A tie between the two sides counts as compute-bound.
PricedOp priced_roofline(const OperatorWork& work, double flops_per_s, double bytes_per_s,
                         double exponent, double fixed_s) {
  const double compute_s = work.flops / flops_per_s;
  const double memory_s = work.hbm_bytes / bytes_per_s;
  const double roofline_s = roofline_time_s(compute_s, memory_s, exponent);
  return PricedOp{work, roofline_s + fixed_s, roofline_s, compute_s >= memory_s};
}

/// Ring all-reduce time of `work`'s all-reduces on `tensor_parallel` GPUs, seconds; 0 when
/// there are none (tensor_parallel 1, or no tokens).
double allreduce_s(const IterationWork& work, const HardwareSpec& hardware, int tensor_parallel) {
  if (!(work.allreduce_calls > 0.0)) return 0.0;
  const Efficiencies& e = hardware.efficiency;
  const double p = tensor_parallel;
  const double ring_bytes = 2.0 * (p - 1.0) / p * work.allreduce_payload_bytes;
  const double bus_bytes_per_s =
      hardware.interconnect_bandwidth_bytes_per_s * e.allreduce_bandwidth_efficiency;
  return work.allreduce_calls * (e.allreduce_latency_s + ring_bytes / bus_bytes_per_s);
}

constexpr std::size_t index(OpClass op) { return static_cast<std::size_t>(op); }

}  // namespace

std::string_view to_string(OpClass op) {
  switch (op) {
    case OpClass::gemm:
      return "gemm";
    case OpClass::attention_prefill:
      return "attention_prefill";
    case OpClass::attention_decode:
      return "attention_decode";
    case OpClass::elementwise:
      return "elementwise";
    case OpClass::lm_head:
      return "lm_head";
    case OpClass::allreduce:
      return "allreduce";
    case OpClass::overhead:
      return "overhead";
  }
  return "unknown";
}

StepTimeModel::StepTimeModel(const core::ModelSpec& model, const HardwareSpec& hardware,
                             Precision precision, Parallelism parallelism)
    : model_(model),
      hardware_(hardware),
      precision_(precision),
      parallelism_(parallelism),
      params_(core::count_parameters(model)),
      work_model_(model, params_, precision, parallelism),
      gemm_peak_flops_per_s_(required_peak(
          hardware, gemm_compute_dtype(hardware, precision.weights), "the weight precision")),
      lm_head_peak_flops_per_s_(
          is_quantised(precision.weights)
              ? required_peak(hardware, unquantised_compute_dtype(precision.activations),
                              "the 16-bit LM head")
              : gemm_peak_flops_per_s_),
      attention_peak_flops_per_s_(required_peak(
          hardware, unquantised_compute_dtype(precision.activations), "attention")) {
  check_hardware(hardware, parallelism_.tensor_parallel);
  const Efficiencies& e = hardware.efficiency;
  attention_flops_per_s_ = attention_peak_flops_per_s_ * e.attention_prefill_efficiency;
  memory_bytes_per_s_ = hardware.hbm_bandwidth_bytes_per_s * e.memory_bandwidth_efficiency;
  decode_bytes_per_s_ = hardware.hbm_bandwidth_bytes_per_s * e.attention_decode_bandwidth_efficiency;
  overhead_s_ = e.per_iteration_overhead_s + e.per_layer_overhead_s * static_cast<double>(model.num_layers);
}

IterationWork StepTimeModel::work(const BatchShape& batch) const { return work_model_.work(batch); }

StepCost StepTimeModel::price(const BatchShape& batch) const {
  if (batch.empty()) return StepCost{};
  return combine(batch, token_terms(batch.total_new_tokens()), head_terms(batch.sampled_seqs));
}

TokenTerms StepTimeModel::token_terms(std::int64_t tokens) const {
  const IterationWork work = work_model_.token_work(tokens);
  const Efficiencies& e = hardware_.efficiency;
  const double hbm = hardware_.hbm_bandwidth_bytes_per_s;
  TokenTerms terms;
  terms.gemm = priced_roofline(work.gemm, gemm_peak_flops_per_s_ * e.gemm_compute_efficiency,
                               memory_bytes_per_s_, e.roofline_exponent,
                               work.gemm_kernels * e.gemm_kernel_latency_s);
  const double elementwise_memory_s =
      work.elementwise.hbm_bytes / (hbm * e.elementwise_bandwidth_efficiency);
  terms.elementwise = PricedOp{
      work.elementwise,
      elementwise_memory_s + work.elementwise_kernels * e.elementwise_kernel_latency_s,
      elementwise_memory_s, false};
  terms.allreduce_s = allreduce_s(work, hardware_, parallelism_.tensor_parallel);
  return terms;
}

PricedOp StepTimeModel::head_terms(std::int64_t sampled) const {
  const IterationWork work = work_model_.head_work(sampled);
  const Efficiencies& e = hardware_.efficiency;
  return priced_roofline(work.lm_head, lm_head_peak_flops_per_s_ * e.gemm_compute_efficiency,
                         memory_bytes_per_s_, e.roofline_exponent,
                         work.lm_head_kernels * e.gemm_kernel_latency_s);
}

StepCost StepTimeModel::combine(const BatchShape& batch, const TokenTerms& tokens,
                                const PricedOp& head) const {
  const AttentionWork work = work_model_.attention_work(batch);
  const Efficiencies& e = hardware_.efficiency;
  // A decode-only batch has no prefill attention at all: priced_roofline would give a zero
  // time and a tie (compute-bound), which is what is written here without its divisions.
  const bool no_prefill =
      work.prefill.flops == 0.0 && work.prefill.hbm_bytes == 0.0 && work.prefill_kernels == 0.0;
  const PricedOp prefill =
      no_prefill ? PricedOp{work.prefill, 0.0, 0.0, true}
                 : priced_roofline(work.prefill, attention_flops_per_s_, memory_bytes_per_s_,
                                   e.roofline_exponent,
                                   work.prefill_kernels * e.attention_prefill_kernel_latency_s);
  PricedOp decode = priced_roofline(work.decode, attention_flops_per_s_, decode_bytes_per_s_,
                                    e.roofline_exponent,
                                    work.decode_kernels * e.attention_decode_kernel_latency_s);
  // After the kernel time, not summed with it first: the order fixes the rounding.
  decode.time_s += work.decode_seq_heads * e.attention_decode_per_seq_head_s;

  // Every sum below runs in a fixed order (OpClass order for time, gemm, attention
  // prefill, attention decode, elementwise, lm_head for the rest), each from 0.0: their
  // rounding is part of what golden runs pin. The sums are written out: this runs for
  // every iteration priced.
  const std::array<double, kNumOpClasses> op_time_s = {
      tokens.gemm.time_s, prefill.time_s,        decode.time_s, tokens.elementwise.time_s,
      head.time_s,        tokens.allreduce_s, overhead_s_};
  static_assert(kNumOpClasses == 7, "every operator class is set above");
  const double time_s = 0.0 + op_time_s[0] + op_time_s[1] + op_time_s[2] + op_time_s[3] +
                        op_time_s[4] + op_time_s[5] + op_time_s[6];
  const double flops = 0.0 + tokens.gemm.work.flops + prefill.work.flops + decode.work.flops +
                       tokens.elementwise.work.flops + head.work.flops;
  const double hbm_bytes = 0.0 + tokens.gemm.work.hbm_bytes + prefill.work.hbm_bytes +
                           decode.work.hbm_bytes + tokens.elementwise.work.hbm_bytes +
                           head.work.hbm_bytes;
  BoundTally tally;
  const std::array<const PricedOp*, 5> roofline_ops = {&tokens.gemm, &prefill, &decode,
                                                       &tokens.elementwise, &head};
  for (const PricedOp* op : roofline_ops) {
    (op->compute_bound ? tally.compute_s : tally.memory_s) += op->roofline_s;
  }
  const Bound bound = tally.compute_s > tally.memory_s ? Bound::compute : Bound::memory;
  return StepCost{{time_s, flops * parallelism_.tensor_parallel, hbm_bytes * parallelism_.tensor_parallel, bound}, op_time_s};
}

DecodeOnlyTerms StepTimeModel::decode_only_terms(std::int64_t decode_seqs) const {
  core::check_invariant(decode_seqs >= 1, "StepTimeModel: a decode-only batch has a sequence");
  BatchShape batch;  // the fields that depend on B; decode_kv_tokens stays 0 (unused)
  batch.decode_seqs = decode_seqs;
  batch.sampled_seqs = decode_seqs;
  const AttentionWork work = work_model_.attention_work(batch);
  const TokenTerms tokens = token_terms(batch.total_new_tokens());
  const PricedOp head = head_terms(batch.sampled_seqs);
  const PricedOp prefill{work.prefill, 0.0, 0.0, true};  // as combine prices no prefill
  const Efficiencies& e = hardware_.efficiency;

  DecodeOnlyTerms terms;
  terms.decode_kernel_s = work.decode_kernels * e.attention_decode_kernel_latency_s;
  terms.decode_seq_heads_s = work.decode_seq_heads * e.attention_decode_per_seq_head_s;

  // combine's sums, in its order, up to the decode-attention term. A batch's prefill FLOPs
  // are -0.0 where its prefill_attention_pairs are, +0.0 here: 0.0 + gemm is never -0.0,
  // and adding either zero to anything else changes no bit.
  terms.time_before_decode_s = 0.0 + tokens.gemm.time_s + prefill.time_s;
  terms.flops_before_decode = 0.0 + tokens.gemm.work.flops + prefill.work.flops;
  terms.hbm_bytes_before_decode = 0.0 + tokens.gemm.work.hbm_bytes + prefill.work.hbm_bytes;
  BoundTally before;
  for (const PricedOp* op : {&tokens.gemm, &prefill}) {
    (op->compute_bound ? before.compute_s : before.memory_s) += op->roofline_s;
  }
  terms.compute_s_before_decode = before.compute_s;
  terms.memory_s_before_decode = before.memory_s;

  // ... and the terms after it.
  terms.time_after_decode_s = {tokens.elementwise.time_s, head.time_s, tokens.allreduce_s,
                               overhead_s_};
  terms.flops_after_decode = {tokens.elementwise.work.flops, head.work.flops};
  terms.hbm_bytes_after_decode = {tokens.elementwise.work.hbm_bytes, head.work.hbm_bytes};
  const std::array<const PricedOp*, 2> after = {&tokens.elementwise, &head};
  for (std::size_t i = 0; i < after.size(); ++i) {
    (after[i]->compute_bound ? terms.compute_s_after_decode[i] : terms.memory_s_after_decode[i]) =
        after[i]->roofline_s;
  }

  terms.op_time_s[index(OpClass::gemm)] = tokens.gemm.time_s;
  terms.op_time_s[index(OpClass::attention_prefill)] = prefill.time_s;
  terms.op_time_s[index(OpClass::elementwise)] = tokens.elementwise.time_s;
  terms.op_time_s[index(OpClass::lm_head)] = head.time_s;
  terms.op_time_s[index(OpClass::allreduce)] = tokens.allreduce_s;
  terms.op_time_s[index(OpClass::overhead)] = overhead_s_;
  return terms;
}

// What combine does with the decode attention, and with its sums from the decode term on.
// Inline in both callers below: it prices most iterations of a run.
inline StepTimeModel::DecodeOnlyPrice StepTimeModel::decode_only_price(
    const DecodeOnlyTerms& terms, double decode_kv_tokens) const {
  core::check_invariant(decode_kv_tokens >= 0.0, "BatchShape: every count must be >= 0");
  PricedOp decode = priced_roofline(work_model_.decode_attention_work(decode_kv_tokens),
                                    attention_flops_per_s_, decode_bytes_per_s_,
                                    hardware_.efficiency.roofline_exponent, terms.decode_kernel_s);
  decode.time_s += terms.decode_seq_heads_s;

  const std::array<double, 4>& time_after_s = terms.time_after_decode_s;
  const double time_s = terms.time_before_decode_s + decode.time_s + time_after_s[0] +
                        time_after_s[1] + time_after_s[2] + time_after_s[3];
  const double flops = terms.flops_before_decode + decode.work.flops +
                       terms.flops_after_decode[0] + terms.flops_after_decode[1];
  const double hbm_bytes = terms.hbm_bytes_before_decode + decode.work.hbm_bytes +
                           terms.hbm_bytes_after_decode[0] + terms.hbm_bytes_after_decode[1];
  BoundTally tally{terms.compute_s_before_decode, terms.memory_s_before_decode};
  (decode.compute_bound ? tally.compute_s : tally.memory_s) += decode.roofline_s;
  tally.compute_s = tally.compute_s + terms.compute_s_after_decode[0] +
                    terms.compute_s_after_decode[1];
  tally.memory_s = tally.memory_s + terms.memory_s_after_decode[0] + terms.memory_s_after_decode[1];
  const Bound bound = tally.compute_s > tally.memory_s ? Bound::compute : Bound::memory;
  return DecodeOnlyPrice{
      StepTotals{time_s, flops * parallelism_.tensor_parallel, hbm_bytes * parallelism_.tensor_parallel, bound},
      decode.time_s};
}

StepCost StepTimeModel::price_decode_only(const DecodeOnlyTerms& terms,
                                          double decode_kv_tokens) const {
  const DecodeOnlyPrice price = decode_only_price(terms, decode_kv_tokens);
  StepCost cost{price.totals, terms.op_time_s};
  cost.op_time_s[index(OpClass::attention_decode)] = price.decode_time_s;
  return cost;
}

StepTotals StepTimeModel::price_decode_only_totals(const DecodeOnlyTerms& terms,
                                                   double decode_kv_tokens) const {
  return decode_only_price(terms, decode_kv_tokens).totals;
}

double StepTimeModel::peak_flops_per_s_group() const {
  return gemm_peak_flops_per_s_ * parallelism_.tensor_parallel;
}

double StepTimeModel::hbm_bandwidth_group() const {
  return hardware_.hbm_bandwidth_bytes_per_s * parallelism_.tensor_parallel;
}

}  // namespace llmsim::hw
