// SampleBuilder: turns one measured kernel time of a model's layer into a ProfileSample
// with that kernel's per-GPU work (FLOPs, bytes, kernel count), for the profile readers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model_spec.h"
#include "core/parameter_counts.h"
#include "hw/iteration_work_model.h"
#include "hw/layer_gemms.h"
#include "hw/profile_sample.h"
#include "hw/precision.h"

namespace llmsim::hw {

class SampleBuilder {
 public:
  /// One layer of `model` (its num_layers is ignored) split over `tensor_parallel` GPUs,
  /// stored in `precision`. Throws core::InputError where IterationWorkModel or
  /// layer_gemm_shapes do (heads not divisible, MoE).
  SampleBuilder(const core::ModelSpec& model, const Precision& precision, int tensor_parallel,
                std::string source);

  /// `op` is qkv_proj, o_proj, mlp_up_proj or mlp_down_proj; T = tokens.
  /// Throws core::InputError for another name.
  ProfileSample gemm(std::string_view op, std::int64_t tokens, double measured_s) const;
  /// The layer's elementwise bytes (IterationWorkModel) over `kernels` measured kernels.
  ProfileSample elementwise(std::int64_t tokens, double kernels, double measured_s) const;
  /// `seqs` sequences of `new_tokens` on `context` cached tokens each, causal.
  ProfileSample attention_prefill(std::int64_t seqs, std::int64_t new_tokens,
                                  std::int64_t context, double measured_s) const;
  /// `seqs` sequences with `context` cached tokens each (context + 1 keys).
  ProfileSample attention_decode(std::int64_t seqs, std::int64_t context, double measured_s) const;
  /// One all-reduce of the T x hidden activation tensor over the group.
  ProfileSample all_reduce(std::int64_t tokens, double measured_s) const;

 private:
  ProfileSample base(const WorkItem& work, std::string_view name, std::int64_t tokens,
                     double measured_s) const;
  /// The item of `op` in the work model's items for `batch` (one layer).
  WorkItem item(const BatchShape& batch, Operator op) const;

  core::ModelSpec layer_;  ///< the model with num_layers = 1
  Precision precision_;
  int tensor_parallel_;
  std::string source_;
  core::ParameterCounts params_;
  IterationWorkModel work_model_;
  std::array<GemmShape, 4> gemms_;
};

/// One NCCL all-reduce of `payload_bytes` over `workers` GPUs: link bytes 2 (p-1)/p x payload.
ProfileSample all_reduce_sample(double payload_bytes, int workers, double measured_s,
                                std::string source);

}  // namespace llmsim::hw
