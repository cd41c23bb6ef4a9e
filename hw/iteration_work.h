// IterationWork: the FLOPs and bytes one iteration asks of each GPU of a replica, per
// operator class, before any rate turns them into time (DESIGN.md section 3).
#pragma once

namespace llmsim::hw {

/// One operator class's work on ONE GPU of the tensor-parallel group. Tensor parallelism
/// is symmetric, so the group's total is tensor_parallel times this.
struct OperatorWork {
  double flops = 0.0;      ///< FLOPs executed by one GPU
  double hbm_bytes = 0.0;  ///< HBM bytes read plus written by one GPU
};

/// The work of one iteration, per GPU. A step-time model prices each roofline operator as
/// max(flops / achieved FLOP/s, hbm_bytes / achieved bandwidth); a calibration that knows
/// which side bound each operator regresses time linearly on these terms.
struct IterationWork {
  OperatorWork gemm;               ///< QKV, O and MLP / expert projections, all layers
  OperatorWork attention_prefill;  ///< causal attention over prompt chunks, all layers
  OperatorWork attention_decode;   ///< one query per decode sequence over its KV, all layers
  OperatorWork elementwise;        ///< norms, rotary, activation function, residual adds
  OperatorWork lm_head;            ///< output projection (or reward head) for sampled rows
  double allreduce_calls = 0.0;          ///< all-reduces per iteration; 0 when tensor_parallel == 1
  double allreduce_payload_bytes = 0.0;  ///< size of the tensor each all-reduce reduces, bytes

  // Kernel launches per iteration on each GPU, for the fixed per-kernel times of
  // hw::Efficiencies (all 0 for an empty batch).
  double gemm_kernels = 0.0;         ///< QKV, O, MLP up (gate+up fused), down per layer (+ router for MoE)
  double lm_head_kernels = 0.0;      ///< 1 when any row samples
  double elementwise_kernels = 0.0;  ///< 2 fused add+RMSNorm, rotary, activation per layer
  double attention_prefill_kernels = 0.0;  ///< one per layer when the batch has prefill sequences
  double attention_decode_kernels = 0.0;   ///< one per layer when the batch has decode sequences
  double attention_decode_seq_heads = 0.0;  ///< decode sequences x query heads on this GPU x layers
};

/// The attention fields of IterationWork (see there): the part of an iteration's work that
/// depends on the batch's attention sums rather than on one count.
struct AttentionWork {
  OperatorWork prefill;
  OperatorWork decode;
  double prefill_kernels = 0.0;
  double decode_kernels = 0.0;
  double decode_seq_heads = 0.0;
};

}  // namespace llmsim::hw
