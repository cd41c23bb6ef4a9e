// Operator: the closed list of operators an iteration's work items name, and how each is
// priced (DESIGN.md section 3). Efficiencies are read from the hardware YAML under these
// names (configs/README.md) and `llmsim calibrate` fits them by name.
//
// Adding an operator (all-to-all, send/recv, KV transfer, MoE expert GEMMs): a member
// here and its row in kOperators; its compute dtype (hw/compute_dtypes.cpp, when it counts
// FLOPs); the work items that carry it (hw/iteration_work_model.cpp). A hardware YAML that
// does not name it gets its row's defaults, and the step-time model prices its items in the
// same loop as every other item.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hw/operator_efficiency.h"

namespace llmsim::hw {

/// In the order an iteration's items are priced and summed (that order is part of what
/// golden runs pin: floating-point sums round in it).
enum class Operator : std::uint8_t {
  gemm,               ///< QKV, O and MLP / expert projections
  attention_prefill,  ///< causal attention over prompt chunks
  attention_decode,   ///< one query per sequence over its KV cache
  elementwise,        ///< norms, rotary, activation function, residual adds
  lm_head,            ///< output projection (or reward head) for sampled rows
  allreduce,          ///< tensor-parallel all-reduce, on the interconnect
  all_to_all,         ///< expert-parallel dispatch and combine of routed tokens, on the fabric
  send_recv,          ///< pipeline-parallel activations sent to the next stage, on the fabric
  /// DeepSeek sparse attention's lightning indexer: scores every cached key, selects the
  /// top-k the attention then reads (DSA models only)
  attention_indexer,
};
inline constexpr std::size_t kNumOperators = 9;

constexpr std::size_t index(Operator op) { return static_cast<std::size_t>(op); }

/// Where an operator's items are priced.
enum class Pricing : std::uint8_t {
  /// On one GPU: R(FLOPs / achieved FLOP/s, HBM bytes / achieved HBM bandwidth) plus
  /// kernels x latency plus blocks x per-block time (hw/item_pricer.h).
  roofline,
  /// On the interconnect: calls x (latency + link bytes / achieved link bandwidth).
  collective,
};

/// The facts of one operator that pricing, the hardware YAML and calibration read.
struct OperatorInfo {
  Operator op = Operator::gemm;
  std::string_view name;  ///< snake_case; its key under `efficiency:` in a hardware YAML
  Pricing pricing = Pricing::roofline;
  /// Whether its FLOPs are priced (it takes a `compute` efficiency). Elementwise FLOPs are
  /// O(hidden) per token and left out, as in the `precise` FLOP method; collectives have none.
  bool counts_flops = false;
  /// Whether its items count thread blocks with a fixed cost each (a `per_block_ns` time).
  bool counts_blocks = false;
  /// The documented defaults (configs/README.md, "Efficiency defaults"), which a hardware
  /// YAML that does not name the operator gets.
  OperatorEfficiency defaults;
};

/// One row per operator, in declaration order.
inline constexpr std::array<OperatorInfo, kNumOperators> kOperators = {{
    {Operator::gemm, "gemm", Pricing::roofline, true, false, {0.7, 0.8, 0.0, 0.0}},
    {Operator::attention_prefill, "attention_prefill", Pricing::roofline, true, false,
     {0.5, 0.8, 0.0, 0.0}},
    {Operator::attention_decode, "attention_decode", Pricing::roofline, true, true,
     {0.5, 0.6, 0.0, 0.0}},
    {Operator::elementwise, "elementwise", Pricing::roofline, false, false, {1.0, 0.8, 0.0, 0.0}},
    {Operator::lm_head, "lm_head", Pricing::roofline, true, false, {0.7, 0.8, 0.0, 0.0}},
    {Operator::allreduce, "allreduce", Pricing::collective, false, false, {1.0, 0.7, 10e-6, 0.0}},
    // bandwidth 0.9: DeepEP's normal kernels reach 153-158 of ~160 GB/s NVLink on 8 H800 and
    // 43-58 GB/s of a ~50 GB/s CX7 NIC across nodes (deepseek-ai/DeepEP, docs/legacy.md,
    // "Performance"); 0.9 is an ESTIMATE inside that range. latency 10 us: the all-reduce's
    // documented default, an ESTIMATE (no all-to-all profile calibrates it).
    {Operator::all_to_all, "all_to_all", Pricing::collective, false, false, {1.0, 0.9, 10e-6, 0.0}},
    // A point-to-point NCCL send/recv: the all-reduce's defaults, an ESTIMATE.
    {Operator::send_recv, "send_recv", Pricing::collective, false, false, {1.0, 0.7, 10e-6, 0.0}},
    // No measurement of the indexer's kernels calibrates it: its defaults are the attention
    // kernels it resembles (indexer_efficiency_from_similar_kernels in hw/efficiencies.h), here
    // gemm's documented compute and attention_decode's bandwidth and latency.
    {Operator::attention_indexer, "attention_indexer", Pricing::roofline, true, false, {0.7, 0.6, 0.0, 0.0}},
}};

constexpr const OperatorInfo& operator_info(Operator op) { return kOperators[index(op)]; }
constexpr std::string_view to_string(Operator op) { return operator_info(op).name; }
/// The operator named `name`, or std::nullopt.
std::optional<Operator> operator_named(std::string_view name);

}  // namespace llmsim::hw
