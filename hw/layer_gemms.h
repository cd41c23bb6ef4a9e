// The GEMMs of one decoder layer on one GPU of a tensor-parallel group, one kernel at a time
// (the step-time model prices their sum; calibration needs each measured kernel).
#pragma once

#include <string_view>
#include <vector>

#include "core/model_spec.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// out[T x n] = in[T x k] x W[k x n] on one GPU.
struct GemmShape {
  /// "qkv_proj", "o_proj", "mlp_up_proj" (gate and up fused), "mlp_down_proj",
  /// "moe_router", "shared_up_proj", "shared_down_proj"
  std::string_view name;
  double k = 0.0;
  double n = 0.0;
};

/// The plain (not grouped) GEMM kernels a layer of `model` runs, with the sharding of
/// hw/iteration_work_model.cpp (q = heads x head_dim / p, kv = kv_heads_per_gpu x
/// head_dim, m' = 2 gated, 1 plain):
///   qkv_proj  k = h, n = q + 2 kv     o_proj  k = q, n = h       (GQA/MHA attention only)
///   mlp_up_proj  k = h, n = m' I / p  mlp_down_proj  k = I / p, n = h
///                (I = intermediate_size: a dense model, or a MoE model's dense layers)
///   moe_router   k = h, n = E / p (the work model splits the router like every other
///                weight; vLLM replicates it: a tensor-parallel router row is priced as the
///                step-time model prices it, not as it runs)
///   shared_up_proj  k = h, n = m' S / p   shared_down_proj  k = S / p, n = h
///                (S = num_shared_experts x shared expert width; shared experts only)
/// MLA's projections and linear-attention mixers are not listed (no per-kernel shapes yet).
/// Throws core::InputError where kv_heads_per_gpu does or p does not divide the heads.
std::vector<GemmShape> layer_gemm_shapes(const core::ModelSpec& model, int tensor_parallel);

/// One GEMM kernel's item: FLOPs 2 T k n; bytes: weights k n x weight_bytes + activations
/// T (k + n) x activation_bytes (the same terms as IterationWorkModel's gemm, one GEMM at a
/// time); kernels 1.
WorkItem gemm_work(const GemmShape& shape, double tokens, double weight_bytes,
                   double activation_bytes);

/// A routed expert's two GEMMs on one GPU (weights of one expert): up (gate and up fused)
/// k = h, n = m' W / p and down k = W / p, n = h, W = the expert width. MoE models only.
struct RoutedExpertShapes {
  GemmShape up;
  GemmShape down;
};
RoutedExpertShapes routed_expert_shapes(const core::ModelSpec& model, int tensor_parallel);

/// Whether `name` is one of the plain GEMM names layer_gemm_shapes gives some model.
bool is_plain_gemm_name(std::string_view name);

/// The names of the routed-expert operators of a profile: "moe_up_proj", "moe_down_proj"
/// (one grouped GEMM each) and "moe_experts" (both, one fused MoE call).
bool is_routed_expert_operator(std::string_view name);
/// "moe_grouped_up_proj", "moe_grouped_down_proj": one grouped GEMM of a benchmark that
/// gives each of `groups` experts the same rows.
bool is_grouped_expert_operator(std::string_view name);

}  // namespace llmsim::hw
