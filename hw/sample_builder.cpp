#include "hw/sample_builder.h"

#include <cmath>
#include <utility>

#include "core/byte_counts.h"
#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/grouped_gemm.h"

namespace llmsim::hw {
namespace {

/// One decoder layer of `model` (see the SampleBuilder constructor).
core::ModelSpec one_layer(core::ModelSpec model) {
  if (const std::optional<std::string> problem = profile_model_problem(model)) {
    throw core::InputError(*problem);
  }
  model.num_layers = 1;
  model.first_k_dense_replace = 0;  // a MoE model's layer is a MoE layer
  model.moe_layer_step = 1;
  model.sliding_window = 0;  // attention rows of these models are refused
  model.sliding_window_layers = 0;
  model.attention_chunk_size = 0;
  model.chunked_attention_layers = 0;
  return model;
}

}  // namespace

std::optional<std::string> profile_model_problem(const core::ModelSpec& model) {
  if (!model.has_linear_attention() && model.ffn_only_layers == 0) return std::nullopt;
  return "model " + model.id +
         " mixes linear-attention or FFN-only layers with attention layers: calibration profiles of "
         "hybrid models are not supported";
}

SampleBuilder::SampleBuilder(const core::ModelSpec& model, const Precision& precision,
                             int tensor_parallel, std::string source)
    : layer_(one_layer(model)),
      local_attention_(model.sliding_window_layers > 0 || model.chunked_attention_layers > 0),
      precision_(precision),
      tensor_parallel_(tensor_parallel),
      source_(std::move(source)),
      params_(core::count_parameters(layer_)),
      work_model_(layer_, params_, precision, Parallelism{tensor_parallel}),
      gemms_(layer_gemm_shapes(model, tensor_parallel)) {}

ProfileSample SampleBuilder::base(const WorkItem& work, std::string_view name,
                                  std::int64_t tokens, double measured_s) const {
  ProfileSample sample;
  sample.work = work;
  sample.name = std::string(name);
  sample.source = source_;
  sample.model = layer_.id;
  sample.tensor_parallel = tensor_parallel_;
  sample.tokens = tokens;
  sample.weights = precision_.weights;
  sample.measured_s = measured_s;
  return sample;
}

WorkItem SampleBuilder::item(const BatchShape& batch, Operator op) const {
  return work_of(work_model_.items(batch), op);
}

std::string SampleBuilder::gemm_names() const {
  std::string names;
  for (const GemmShape& shape : gemms_) {
    names += (names.empty() ? "" : ", ") + std::string(shape.name);
  }
  return names.empty() ? "none" : names;
}

ProfileSample SampleBuilder::gemm(std::string_view op, std::int64_t tokens,
                                  double measured_s) const {
  for (const GemmShape& shape : gemms_) {
    if (shape.name != op) continue;
    return base(gemm_work(shape, static_cast<double>(tokens),
                          core::bytes_per_element(precision_.weights),
                          core::bytes_per_element(precision_.activations)),
                op, tokens, measured_s);
  }
  if (is_plain_gemm_name(op)) {
    throw core::InputError(source_, 0, "op",
                           "model " + layer_.id + " has no GEMM kernel \"" + std::string(op) +
                               "\" (its GEMMs: " + gemm_names() + ")");
  }
  throw core::InputError(source_, 0, "op",
                         "unknown operator \"" + std::string(op) +
                             "\" (elementwise, attention_prefill, attention_decode, all_reduce, "
                             "moe_up_proj, moe_down_proj, moe_experts, moe_grouped_up_proj, "
                             "moe_grouped_down_proj, or a GEMM of model " +
                             layer_.id + ": " + gemm_names() + ")");
}

void SampleBuilder::require_routed_experts(std::string_view op) const {
  if (!layer_.is_moe()) {
    throw core::InputError(source_, 0, "op",
                           std::string(op) + " is a mixture-of-experts operator, but model " +
                               layer_.id + " is dense");
  }
  if (layer_.expert_bytes_per_weight > 0.0) {
    throw core::InputError(source_, 0, "op",
                           "model " + layer_.id +
                               " stores its routed experts in a format of their own "
                               "(expert_bytes_per_weight): " +
                               std::string(op) + " rows of such experts are not priced yet");
  }
}

ProfileSample SampleBuilder::routed_experts(std::string_view op, std::int64_t tokens,
                                            double measured_s) const {
  require_routed_experts(op);
  const double t = static_cast<double>(tokens);
  const double experts = static_cast<double>(layer_.num_experts);
  const double k = static_cast<double>(layer_.experts_per_token);
  const double h = static_cast<double>(layer_.hidden_size);
  const double w = core::bytes_per_element(precision_.weights);
  const double a = core::bytes_per_element(precision_.activations);
  const MoeTiling tiling = moe_tiling(experts, k, t);
  const double distinct = expected_distinct_experts(experts, k, t);
  const RoutedExpertShapes shapes = routed_expert_shapes(layer_, tensor_parallel_);
  WorkItem work{.op = Operator::gemm};
  const auto add = [&](const GemmShape& shape, double activation_elements) {
    work.flops += 2.0 * tiling.rows * shape.k * shape.n;
    work.hbm_bytes += w * distinct * shape.k * shape.n + a * activation_elements;
    work.kernels += 1.0;
  };
  if (op != "moe_down_proj") add(shapes.up, t * (h + k * shapes.up.n));
  if (op != "moe_up_proj") add(shapes.down, t * (k * shapes.down.k + h));
  return base(work, op, tokens, measured_s);
}

ProfileSample SampleBuilder::grouped_experts(std::string_view op, std::int64_t groups,
                                             std::int64_t rows, double measured_s) const {
  require_routed_experts(op);
  if (groups > layer_.num_experts) {
    throw core::InputError(source_, 0, "batch",
                           std::to_string(groups) + " groups, but model " + layer_.id + " has " +
                               std::to_string(layer_.num_experts) + " experts");
  }
  const RoutedExpertShapes shapes = routed_expert_shapes(layer_, tensor_parallel_);
  const GemmShape& shape = op == "moe_grouped_up_proj" ? shapes.up : shapes.down;
  const double g = static_cast<double>(groups);
  const double r = static_cast<double>(rows);
  const double tile = moe_tile_rows(r);
  WorkItem work{.op = Operator::gemm};
  work.flops = 2.0 * g * std::ceil(r / tile) * tile * shape.k * shape.n;
  work.hbm_bytes = core::bytes_per_element(precision_.weights) * g * shape.k * shape.n +
                   core::bytes_per_element(precision_.activations) * g * r * (shape.k + shape.n);
  work.kernels = 1.0;
  ProfileSample sample = base(work, op, rows, measured_s);
  sample.groups = groups;
  return sample;
}

ProfileSample SampleBuilder::elementwise(std::int64_t tokens, double kernels,
                                         double measured_s) const {
  BatchShape batch;
  batch.prefill_seqs = 1;
  batch.prefill_tokens = tokens;
  WorkItem work = item(batch, Operator::elementwise);
  work.kernels = kernels;
  return base(work, "elementwise", tokens, measured_s);
}

void SampleBuilder::require_full_attention(std::string_view op) const {
  if (!local_attention_) return;
  throw core::InputError(source_, 0, "op",
                         "model " + layer_.id +
                             " has sliding-window or chunked attention layers: " + std::string(op) +
                             " rows do not say which kind of layer they measure");
}

ProfileSample SampleBuilder::attention_prefill(std::int64_t seqs, std::int64_t new_tokens,
                                               std::int64_t context, double measured_s) const {
  require_full_attention("attention_prefill");
  const double b = static_cast<double>(seqs);
  const double s = static_cast<double>(new_tokens);
  const double c = static_cast<double>(context);
  BatchShape batch;
  batch.prefill_seqs = seqs;
  batch.prefill_tokens = seqs * new_tokens;
  batch.prefill_attention_pairs = b * (s * c + s * (s + 1.0) / 2.0);
  batch.prefill_kv_tokens = b * (c + s);
  // One layer: one kernel.
  ProfileSample sample = base(item(batch, Operator::attention_prefill), "attention_prefill",
                              batch.prefill_tokens, measured_s);
  sample.context = context;
  return sample;
}

ProfileSample SampleBuilder::attention_decode(std::int64_t seqs, std::int64_t context,
                                              double measured_s) const {
  require_full_attention("attention_decode");
  BatchShape batch;
  batch.decode_seqs = seqs;
  batch.decode_kv_tokens = static_cast<double>(seqs) * static_cast<double>(context + 1);
  // One layer: one kernel, and blocks = sequences x query heads per GPU.
  ProfileSample sample = base(item(batch, Operator::attention_decode), "attention_decode", seqs,
                              measured_s);
  sample.context = context;
  return sample;
}

ProfileSample SampleBuilder::all_reduce(std::int64_t tokens, double measured_s) const {
  const double payload = static_cast<double>(tokens) * static_cast<double>(layer_.hidden_size) *
                         core::bytes_per_element(precision_.activations);
  ProfileSample sample = all_reduce_sample(payload, tensor_parallel_, measured_s, source_);
  sample.model = layer_.id;
  sample.tokens = tokens;
  return sample;
}

ProfileSample all_reduce_sample(double payload_bytes, int workers, double measured_s,
                                std::string source) {
  ProfileSample sample;
  sample.work.op = Operator::allreduce;
  sample.work.kernels = 1.0;  // one call
  sample.work.payload_bytes = payload_bytes;
  const double p = workers;
  sample.work.link_bytes = 2.0 * (p - 1.0) / p * payload_bytes;
  sample.name = "all_reduce";
  sample.source = std::move(source);
  sample.tensor_parallel = workers;
  sample.tokens = static_cast<std::int64_t>(payload_bytes);
  sample.measured_s = measured_s;
  return sample;
}

}  // namespace llmsim::hw
