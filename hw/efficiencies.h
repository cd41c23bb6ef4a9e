// Efficiencies: what a GPU achieves of its datasheet peaks, per operator by name, plus the
// fixed per-iteration costs (DESIGN.md section 3). Read from a hardware YAML's `efficiency:`
// block (configs/README.md); fitted to measured operator times by `llmsim calibrate`
// (hw/efficiency_fit.h).
#pragma once

#include <array>

#include "hw/operator.h"
#include "hw/operator_efficiency.h"

namespace llmsim::hw {

/// Every efficiency is in (0, 1], every time >= 0 (StepTimeModel checks). The defaults
/// are the documented ones (configs/README.md, "Efficiency defaults"): each operator's
/// OperatorInfo::defaults, the hard roofline max. (Host time per iteration is the engine's: hw/host_time.h.)
struct Efficiencies {
  /// Indexed by hw::index(Operator); see operator[].
  std::array<OperatorEfficiency, kNumOperators> operators = [] {
    std::array<OperatorEfficiency, kNumOperators> defaults;
    for (const OperatorInfo& info : kOperators) defaults[index(info.op)] = info.defaults;
    return defaults;
  }();

  /// How an operator's compute time c and memory time m combine: 0 = the classic roofline
  /// max(c, m); k >= 1 = (c^k + m^k)^(1/k), a roofline whose corner is rounded (k = 1 adds
  /// them: no overlap; larger k approaches max). hw/roofline.h.
  double roofline_exponent = 0.0;
  double per_layer_overhead_s = 0.0;  ///< fixed GPU time per decoder layer per iteration, s

  OperatorEfficiency& operator[](Operator op) { return operators[index(op)]; }
  const OperatorEfficiency& operator[](Operator op) const { return operators[index(op)]; }
};

/// The lightning indexer's efficiency where a hardware YAML gives none (no profile of its
/// kernels exists to fit one): the entries of the kernels it resembles, an ESTIMATE. Its FLOPs
/// are spent mostly on prompt chunks, a dense FP8 matrix product of the chunk's queries with
/// every cached key, which DeepGEMM runs as a GEMM (vLLM's fp8_mqa_logits) with no softmax
/// and no paged online accumulation: gemm's compute. (attention_prefill's compute describes
/// FlashAttention in serving and is calibrated on it: configs/hardware/h100-sxm.yaml.) Its
/// bytes are read mostly in decode steps, a paged scan of each sequence's cached keys like
/// decode attention's (fp8_paged_mqa_logits): attention_decode's bandwidth and per-kernel
/// latency. It counts no thread blocks.
inline OperatorEfficiency indexer_efficiency_from_similar_kernels(const Efficiencies& e) {
  OperatorEfficiency indexer;
  indexer.compute = e[Operator::gemm].compute;
  indexer.bandwidth = e[Operator::attention_decode].bandwidth;
  indexer.latency_s = e[Operator::attention_decode].latency_s;
  indexer.per_block_s = 0.0;
  return indexer;
}

}  // namespace llmsim::hw
