#include "hw/layer_gemms.h"

#include <string>

#include "core/input_error.h"
#include "core/model_dims.h"
#include "hw/iteration_work_model.h"

namespace llmsim::hw {
namespace {

double up_matrices(const core::ModelSpec& model) { return model.gated_mlp ? 2.0 : 1.0; }

/// Whether some layer of `model` has a dense MLP of intermediate_size.
bool has_dense_mlp_layer(const core::ModelSpec& model) {
  return !model.is_moe() || core::moe_layer_count(model) < model.num_layers;
}

}  // namespace

std::vector<GemmShape> layer_gemm_shapes(const core::ModelSpec& model, int tensor_parallel) {
  if (tensor_parallel < 1 || model.num_attention_heads % tensor_parallel != 0) {
    throw core::InputError("tensor_parallel " + std::to_string(tensor_parallel) +
                           " must divide the " + std::to_string(model.num_attention_heads) +
                           " attention heads of model " + model.id);
  }
  const double p = tensor_parallel;
  const double h = static_cast<double>(model.hidden_size);
  std::vector<GemmShape> shapes;
  if (!model.is_mla() && !model.has_linear_attention() && !model.attention_output_gate) {
    const double head_dim = static_cast<double>(core::resolved_head_dim(model));
    const double q = static_cast<double>(core::query_width(model)) / p;
    const double kv = static_cast<double>(kv_heads_per_gpu(model, tensor_parallel)) * head_dim;
    shapes.push_back(GemmShape{"qkv_proj", h, q + 2.0 * kv});
    shapes.push_back(GemmShape{"o_proj", q, h});
  }
  if (has_dense_mlp_layer(model)) {
    const double mlp = static_cast<double>(model.intermediate_size) / p;
    shapes.push_back(GemmShape{"mlp_up_proj", h, up_matrices(model) * mlp});
    shapes.push_back(GemmShape{"mlp_down_proj", mlp, h});
  }
  if (model.is_moe()) {
    shapes.push_back(GemmShape{"moe_router", h, static_cast<double>(model.num_experts) / p});
    if (model.num_shared_experts > 0) {
      const double shared = static_cast<double>(model.num_shared_experts) *
                            static_cast<double>(core::shared_expert_width(model)) / p;
      shapes.push_back(GemmShape{"shared_up_proj", h, up_matrices(model) * shared});
      shapes.push_back(GemmShape{"shared_down_proj", shared, h});
    }
  }
  return shapes;
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

RoutedExpertShapes routed_expert_shapes(const core::ModelSpec& model, int tensor_parallel) {
  const double h = static_cast<double>(model.hidden_size);
  const double width = static_cast<double>(core::expert_width(model)) / tensor_parallel;
  return {GemmShape{"moe_up_proj", h, up_matrices(model) * width},
          GemmShape{"moe_down_proj", width, h}};
}

bool is_plain_gemm_name(std::string_view name) {
  for (const std::string_view known : {"qkv_proj", "o_proj", "mlp_up_proj", "mlp_down_proj", "moe_router",
                                       "shared_up_proj", "shared_down_proj"}) {
    if (name == known) return true;
  }
  return false;
}

bool is_routed_expert_operator(std::string_view name) {
  return name == "moe_up_proj" || name == "moe_down_proj" || name == "moe_experts";
}

bool is_grouped_expert_operator(std::string_view name) {
  return name == "moe_grouped_up_proj" || name == "moe_grouped_down_proj";
}

}  // namespace llmsim::hw
