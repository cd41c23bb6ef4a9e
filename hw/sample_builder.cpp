#include "hw/sample_builder.h"

#include <utility>

#include "core/byte_counts.h"
#include "core/dtype.h"
#include "core/input_error.h"

namespace llmsim::hw {
namespace {

core::ModelSpec one_layer(core::ModelSpec model) {
  model.num_layers = 1;
  return model;
}

}  // namespace

SampleBuilder::SampleBuilder(const core::ModelSpec& model, const Precision& precision,
                             int tensor_parallel, std::string source)
    : layer_(one_layer(model)),
      precision_(precision),
      tensor_parallel_(tensor_parallel),
      source_(std::move(source)),
      params_(core::count_parameters(layer_)),
      work_model_(layer_, params_, precision, Parallelism{tensor_parallel}),
      gemms_(layer_gemm_shapes(layer_, tensor_parallel)) {}

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

ProfileSample SampleBuilder::gemm(std::string_view op, std::int64_t tokens,
                                  double measured_s) const {
  for (const GemmShape& shape : gemms_) {
    if (shape.name != op) continue;
    return base(gemm_work(shape, static_cast<double>(tokens),
                          core::bytes_per_element(precision_.weights),
                          core::bytes_per_element(precision_.activations)),
                op, tokens, measured_s);
  }
  throw core::InputError(source_, 0, "op",
                         "unknown GEMM \"" + std::string(op) +
                             "\" (qkv_proj, o_proj, mlp_up_proj, mlp_down_proj)");
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

ProfileSample SampleBuilder::attention_prefill(std::int64_t seqs, std::int64_t new_tokens,
                                               std::int64_t context, double measured_s) const {
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
