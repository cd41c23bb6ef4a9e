#include "core/memory_footprint.h"

#include <cmath>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/input_checks.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"

namespace llmsim::core {
namespace {

void validate(const MemoryQuery& query) {
  require_at_least(query.batch, 0, "batch");
  require_at_least(query.sequence_tokens, 0, "sequence_tokens");
  require_at_least(query.tensor_parallel, 1, "tensor_parallel");
  require_at_least(query.pipeline_parallel, 1, "pipeline_parallel");
  require_at_least(query.attention_data_parallel, 1, "attention_data_parallel");
  require_at_least(query.expert_parallel, 1, "expert_parallel");
  require_positive(query.overheads.weights, "overheads.weights");
  require_positive(query.overheads.kv_cache, "overheads.kv_cache");
  require_positive(query.overheads.activations, "overheads.activations");
  require_positive(query.overheads.system, "overheads.system");
}

/// Bytes one sequence adds (KV cache and activations, each with its overhead), per GPU.
double bytes_per_sequence_with_overhead(const ModelSpec& model, const MemoryQuery& query) {
  MemoryQuery one = query;
  one.batch = 1;
  const MemoryFootprint footprint = memory_footprint(model, one);
  return footprint.kv_cache_bytes_with_overhead() + footprint.activation_bytes_with_overhead();
}

}  // namespace

double MemoryFootprint::total_bytes() const {
  return (weight_bytes_with_overhead() + kv_cache_bytes_with_overhead() +
          activation_bytes_with_overhead()) *
         overheads.system;
}

double kv_cache_bytes_per_token_per_gpu(const ModelSpec& model, DType kv_dtype,
                                        std::int64_t tensor_parallel) {
  require_at_least(tensor_parallel, 1, "tensor_parallel");
  // MLA's latent is one "KV head" shared by all query heads: every GPU of the group keeps
  // all of it (vLLM's MLA backends cache num_kv_heads = 1, replicated across TP ranks), and
  // with DSA each token's indexer key beside it (replicated too: vLLM's Indexer is).
  if (model.is_mla()) return kv_cache_bytes_per_token(model, kv_dtype);  // the indexer key in it
  const std::int64_t heads_per_gpu = (model.num_kv_heads + tensor_parallel - 1) / tensor_parallel;
  return 2.0 * static_cast<double>(model.num_layers) * static_cast<double>(heads_per_gpu) *
         static_cast<double>(resolved_head_dim(model)) * bytes_per_element(kv_dtype);
}

namespace {

bool tensor_only(const GpuLayout& layout) {
  return layout.pipeline_parallel == 1 && layout.attention_data_parallel == 1 && layout.expert_parallel == 1;
}

/// The largest stage's share of the layers under vLLM's cut (layers / PP, the remainder
/// one each to stages before the last: the largest has ceil(layers / PP)).
double largest_stage_share(const ModelSpec& model, std::int64_t stages) {
  const std::int64_t largest = (model.num_layers + stages - 1) / stages;
  return static_cast<double>(largest) / static_cast<double>(model.num_layers);
}

void validate(const GpuLayout& layout) {
  require_at_least(layout.tensor_parallel, 1, "tensor_parallel");
  require_at_least(layout.pipeline_parallel, 1, "pipeline_parallel");
  require_at_least(layout.attention_data_parallel, 1, "attention_data_parallel");
  require_at_least(layout.expert_parallel, 1, "expert_parallel");
}

}  // namespace

double weight_bytes_per_gpu(const ModelSpec& model, DType weights_dtype, const GpuLayout& layout) {
  validate(layout);
  const double tp = static_cast<double>(layout.tensor_parallel);
  if (tensor_only(layout)) return weight_bytes(model, weights_dtype) / tp;
  const ParameterCounts params = count_parameters(model);
  const double routed = routed_expert_parameters(model);
  const double expert_bytes_per_weight =
      model.expert_bytes_per_weight > 0.0 ? model.expert_bytes_per_weight : bytes_per_element(weights_dtype);
  const double f = largest_stage_share(model, layout.pipeline_parallel);
  const double layer_bytes = parameter_bytes(params.non_embedding - routed, weights_dtype) * f / tp;
  const double expert_split = layout.expert_parallel > 1 ? static_cast<double>(layout.expert_parallel) : tp;
  const double expert_bytes = routed * expert_bytes_per_weight * f / expert_split;
  // An untied language-model head is counted in `embedding` with the input embedding: one
  // of the two on each end stage. A tied one (or a reward head's input embedding alone) is
  // one copy, on each end stage.
  const bool untied_pair = model.head == HeadKind::language_model && !model.tie_word_embeddings;
  const double embedding_params = layout.pipeline_parallel == 1 || !untied_pair ? params.embedding
                                                                                : params.embedding / 2.0;
  return layer_bytes + expert_bytes + parameter_bytes(embedding_params, weights_dtype) / tp;
}

double kv_cache_bytes_per_token_per_gpu(const ModelSpec& model, DType kv_dtype, const GpuLayout& layout) {
  validate(layout);
  const double tp_bytes = kv_cache_bytes_per_token_per_gpu(model, kv_dtype, layout.tensor_parallel);
  if (tensor_only(layout)) return tp_bytes;
  return tp_bytes * largest_stage_share(model, layout.pipeline_parallel) /
         static_cast<double>(layout.attention_data_parallel);
}

MemoryFootprint memory_footprint(const ModelSpec& model, const MemoryQuery& query) {
  validate(query);
  const GpuLayout layout{.tensor_parallel = query.tensor_parallel,
                         .pipeline_parallel = query.pipeline_parallel,
                         .attention_data_parallel = query.attention_data_parallel,
                         .expert_parallel = query.expert_parallel};
  const double sequences = static_cast<double>(query.batch);
  const double tokens = static_cast<double>(query.sequence_tokens);
  MemoryFootprint footprint;
  footprint.overheads = query.overheads;
  // weight_bytes / TP under tensor parallelism alone (the same expression, bit for bit).
  footprint.weight_bytes = weight_bytes_per_gpu(model, query.weights_dtype, layout);
  // A windowed layer keeps at most its window of each sequence (Architecture::kv_token_layers).
  const Architecture architecture(model);
  const double kv_tokens = architecture.kv_token_layers(query.sequence_tokens) /
                           static_cast<double>(architecture.num_layers());
  footprint.kv_cache_bytes =
      sequences * kv_tokens * kv_cache_bytes_per_token_per_gpu(model, query.kv_cache_dtype, layout);
  // The share of the batch's per-sequence state on the busiest GPU beyond TP's split: its
  // stage's layers, its DP rank's sequences (1 under tensor parallelism alone).
  const double layout_share = tensor_only(layout) ? 1.0
                                                  : largest_stage_share(model, layout.pipeline_parallel) /
                                                        static_cast<double>(layout.attention_data_parallel);
  if (architecture.has_linear_attention()) {
    // Each sequence's linear-attention state, whatever its length, in the model's dtype
    // and sharded by heads over the group (vLLM's MambaSpec: one state per layer per request).
    footprint.kv_cache_bytes += sequences * architecture.sequence_state_bytes(query.activation_dtype) /
                                static_cast<double>(query.tensor_parallel) * layout_share;
  }
  // The calculator's activation estimate: 4 x B x S x H values, over the DP ranks.
  footprint.activation_bytes = 4.0 * sequences * tokens * static_cast<double>(model.hidden_size) *
                               bytes_per_element(query.activation_dtype) /
                               static_cast<double>(layout.attention_data_parallel);
  return footprint;
}

bool fits(const MemoryFootprint& footprint, double capacity_bytes_per_gpu) {
  return footprint.total_bytes() <= capacity_bytes_per_gpu;
}

std::int64_t max_batch_that_fits(const ModelSpec& model, MemoryQuery query,
                                 double capacity_bytes_per_gpu) {
  require_at_least(query.sequence_tokens, 1, "sequence_tokens");
  require_positive(capacity_bytes_per_gpu, "capacity_bytes");
  query.batch = 0;
  const MemoryFootprint empty = memory_footprint(model, query);
  if (!fits(empty, capacity_bytes_per_gpu)) return 0;
  // total(B) = (fixed + B x per_sequence) x system, linear in B: solve, then settle the
  // rounding against fits() itself so the answer agrees with it exactly.
  const double per_sequence = bytes_per_sequence_with_overhead(model, query);
  const double room = capacity_bytes_per_gpu / query.overheads.system - empty.weight_bytes_with_overhead();
  const double estimate = std::floor(room / per_sequence);
  // 2^53: beyond it a double no longer holds every integer, and no real batch is near it.
  require_input(estimate < 9007199254740992.0, "capacity_bytes",
          "admits more than 2^53 sequences; is the capacity in bytes?");
  auto batch = static_cast<std::int64_t>(estimate);
  const auto fits_with = [&](std::int64_t b) {
    query.batch = b;
    return fits(memory_footprint(model, query), capacity_bytes_per_gpu);
  };
  while (batch > 0 && !fits_with(batch)) --batch;
  while (fits_with(batch + 1)) ++batch;
  return batch;
}

}  // namespace llmsim::core
