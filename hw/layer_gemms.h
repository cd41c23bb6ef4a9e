// The four GEMMs of one decoder layer on one GPU of a tensor-parallel group, one at a time
// (the step-time model prices their sum; calibration needs each measured kernel).
#pragma once

#include <array>
#include <string_view>

#include "core/model_spec.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// out[T x n] = in[T x k] x W[k x n] on one GPU.
struct GemmShape {
  std::string_view name;  ///< "qkv_proj", "o_proj", "mlp_up_proj" (gate and up fused), "mlp_down_proj"
  double k = 0.0;
  double n = 0.0;
};

/// Megatron sharding as in hw/iteration_work_model.cpp: QKV k = h, n = q + 2 kv; O k = q,
/// n = h; up k = h, n = m' I / p (m' = 2 gated, 1 plain); down k = I / p, n = h, with
/// q = heads x head_dim / p and kv = kv_heads_per_gpu x head_dim. Dense models only
/// (throws core::InputError for MoE, and where kv_heads_per_gpu does).
std::array<GemmShape, 4> layer_gemm_shapes(const core::ModelSpec& model, int tensor_parallel);

/// One GEMM kernel's item: FLOPs 2 T k n; bytes: weights k n x weight_bytes + activations
/// T (k + n) x activation_bytes (the same terms as IterationWorkModel's gemm, one GEMM at a
/// time); kernels 1.
WorkItem gemm_work(const GemmShape& shape, double tokens, double weight_bytes,
                       double activation_bytes);

}  // namespace llmsim::hw
