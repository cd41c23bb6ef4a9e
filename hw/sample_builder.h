// SampleBuilder: turns one measured kernel time of a model's layer into a ProfileSample
// with that kernel's per-GPU work (FLOPs, bytes, kernel count), for the profile readers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model_spec.h"
#include "core/parameter_counts.h"
#include "hw/iteration_work_model.h"
#include "hw/layer_gemms.h"
#include "hw/profile_sample.h"
#include "hw/precision.h"

namespace llmsim::hw {

class SampleBuilder {
 public:
  /// One layer of `model` split over `tensor_parallel` GPUs, stored in `precision`. The
  /// layer is the model's kind of decoder layer with its num_layers ignored; for a MoE model
  /// with dense layers (DeepSeek-V3's first_k_dense_replace), a MoE layer (the dense layers'
  /// MLP GEMMs are the mlp_* rows). A sliding-window or chunked-attention model's layer
  /// attends the whole context (its attention rows are refused: see attention_prefill).
  /// Throws core::InputError where IterationWorkModel does (heads not divisible), and for a
  /// hybrid with linear-attention or FFN-only layers (one layer does not stand for them).
  SampleBuilder(const core::ModelSpec& model, const Precision& precision, int tensor_parallel,
                std::string source);

  /// One plain GEMM kernel named `op` (hw/layer_gemms.h: layer_gemm_shapes); T = tokens.
  /// Throws core::InputError for a name the model has no such kernel of.
  ProfileSample gemm(std::string_view op, std::int64_t tokens, double measured_s) const;
  /// The routed experts of one MoE layer for `tokens` tokens (before top-k routing), as the
  /// work model prices them (hw/iteration_work_model.h, gemm): `op` moe_up_proj or
  /// moe_down_proj (one grouped GEMM) or moe_experts (both: one fused MoE call). FLOPs
  /// 2 x rows(T) x k x n per GEMM, rows(T) the tile-padded rows of hw/grouped_gemm.h; weight
  /// bytes w x distinct(T) x k x n, distinct(T) = expected_distinct_experts; activation
  /// bytes a T (h + k n) for up and a T (k x k_down + h) for down (k = experts per token),
  /// the work model's a T (2h + m k W / p) together. Throws core::InputError for a dense
  /// model and for experts stored in a format of their own (gpt-oss's MXFP4: their
  /// weight-only dequantisation is not priced here).
  ProfileSample routed_experts(std::string_view op, std::int64_t tokens, double measured_s) const;
  /// One grouped GEMM that gives each of `groups` experts `rows` rows (DeepGEMM's contiguous
  /// and masked benchmarks): `op` moe_grouped_up_proj or moe_grouped_down_proj. The same
  /// terms as routed_experts with the routing known: FLOPs 2 x groups x ceil(rows / B) B x
  /// k x n (B = moe_tile_rows(rows)), weight bytes w x groups x k x n, activation bytes
  /// a x groups x rows x (k + n); one kernel. Throws core::InputError as routed_experts
  /// does, and when groups exceeds the model's experts.
  ProfileSample grouped_experts(std::string_view op, std::int64_t groups, std::int64_t rows,
                                double measured_s) const;
  /// The layer's elementwise bytes (IterationWorkModel) over `kernels` measured kernels.
  ProfileSample elementwise(std::int64_t tokens, double kernels, double measured_s) const;
  /// `seqs` sequences of `new_tokens` on `context` cached tokens each, causal (MLA:
  /// expanded, as the work model prices prefill). Throws core::InputError for a model with
  /// windowed or chunked attention layers.
  ProfileSample attention_prefill(std::int64_t seqs, std::int64_t new_tokens,
                                  std::int64_t context, double measured_s) const;
  /// `seqs` sequences with `context` cached tokens each (context + 1 keys; MLA: absorbed,
  /// reading the latent cache). Throws as attention_prefill does.
  ProfileSample attention_decode(std::int64_t seqs, std::int64_t context, double measured_s) const;
  /// One all-reduce of the T x hidden activation tensor over the group.
  ProfileSample all_reduce(std::int64_t tokens, double measured_s) const;

  /// The names gemm() takes for this model, comma-separated, for messages.
  std::string gemm_names() const;

 private:
  ProfileSample base(const WorkItem& work, std::string_view name, std::int64_t tokens,
                     double measured_s) const;
  /// The item of `op` in the work model's items for `batch` (one layer).
  WorkItem item(const BatchShape& batch, Operator op) const;
  /// Throws core::InputError unless the model's routed experts can be priced for `op`.
  void require_routed_experts(std::string_view op) const;
  /// Throws core::InputError when the model has windowed or chunked attention layers.
  void require_full_attention(std::string_view op) const;

  core::ModelSpec layer_;  ///< one layer of the model (see the constructor)
  bool local_attention_ = false;  ///< the model has sliding-window or chunked attention layers
  Precision precision_;
  int tensor_parallel_;
  std::string source_;
  core::ParameterCounts params_;
  IterationWorkModel work_model_;
  std::vector<GemmShape> gemms_;
};

/// Why one layer of `model` cannot stand for it in a profile (a hybrid with linear-attention
/// or FFN-only layers), or nothing.
std::optional<std::string> profile_model_problem(const core::ModelSpec& model);

/// One NCCL all-reduce of `payload_bytes` over `workers` GPUs: link bytes 2 (p-1)/p x payload.
ProfileSample all_reduce_sample(double payload_bytes, int workers, double measured_s,
                                std::string source);

}  // namespace llmsim::hw
