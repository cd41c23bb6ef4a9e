#include "hw/layer_gemms.h"

#include "core/input_error.h"
#include "core/model_dims.h"
#include "hw/iteration_work_model.h"

namespace llmsim::hw {

std::array<GemmShape, 4> layer_gemm_shapes(const core::ModelSpec& model, int tensor_parallel) {
  if (model.is_moe()) {
    throw core::InputError("per-GEMM shapes of model " + model.id +
                           ": mixture-of-experts layers are not supported by calibration");
  }
  if (model.is_mla()) {
    throw core::InputError("per-GEMM shapes of model " + model.id +
                           ": multi-head latent attention layers are not supported by calibration");
  }
  if (tensor_parallel < 1 || model.num_attention_heads % tensor_parallel != 0) {
    throw core::InputError("tensor_parallel " + std::to_string(tensor_parallel) +
                           " must divide the " + std::to_string(model.num_attention_heads) +
                           " attention heads of model " + model.id);
  }
  const double p = tensor_parallel;
  const double h = static_cast<double>(model.hidden_size);
  const double head_dim = static_cast<double>(core::resolved_head_dim(model));
  const double q = static_cast<double>(core::query_width(model)) / p;
  const double kv = static_cast<double>(kv_heads_per_gpu(model, tensor_parallel)) * head_dim;
  const double mlp = static_cast<double>(model.intermediate_size) / p;
  const double up_matrices = model.gated_mlp ? 2.0 : 1.0;
  return {GemmShape{"qkv_proj", h, q + 2.0 * kv}, GemmShape{"o_proj", q, h},
          GemmShape{"mlp_up_proj", h, up_matrices * mlp}, GemmShape{"mlp_down_proj", mlp, h}};
}

WorkItem gemm_work(const GemmShape& shape, double tokens, double weight_bytes,
                   double activation_bytes) {
  WorkItem work{.op = Operator::gemm};
  work.kernels = 1.0;
  work.flops = 2.0 * tokens * shape.k * shape.n;
  work.hbm_bytes =
      weight_bytes * shape.k * shape.n + activation_bytes * tokens * (shape.k + shape.n);
  return work;
}

}  // namespace llmsim::hw
