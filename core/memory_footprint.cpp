#include "core/memory_footprint.h"

#include <cmath>

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "core/input_checks.h"
#include "core/model_dims.h"

namespace llmsim::core {
namespace {

void validate(const MemoryQuery& query) {
  require_at_least(query.batch, 0, "batch");
  require_at_least(query.sequence_tokens, 0, "sequence_tokens");
  require_at_least(query.tensor_parallel, 1, "tensor_parallel");
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
  // all of it (vLLM's MLA backends cache num_kv_heads = 1, replicated across TP ranks).
  if (model.is_mla()) return kv_cache_bytes_per_token(model, kv_dtype);
  const std::int64_t heads_per_gpu = (model.num_kv_heads + tensor_parallel - 1) / tensor_parallel;
  return 2.0 * static_cast<double>(model.num_layers) * static_cast<double>(heads_per_gpu) *
         static_cast<double>(resolved_head_dim(model)) * bytes_per_element(kv_dtype);
}

MemoryFootprint memory_footprint(const ModelSpec& model, const MemoryQuery& query) {
  validate(query);
  const double sequences = static_cast<double>(query.batch);
  const double tokens = static_cast<double>(query.sequence_tokens);
  MemoryFootprint footprint;
  footprint.overheads = query.overheads;
  footprint.weight_bytes =
      weight_bytes(model, query.weights_dtype) / static_cast<double>(query.tensor_parallel);
  // A windowed layer keeps at most its window of each sequence (Architecture::kv_token_layers).
  const Architecture architecture(model);
  const double kv_tokens = architecture.kv_token_layers(query.sequence_tokens) /
                           static_cast<double>(architecture.num_layers());
  footprint.kv_cache_bytes =
      sequences * kv_tokens *
      kv_cache_bytes_per_token_per_gpu(model, query.kv_cache_dtype, query.tensor_parallel);
  if (architecture.has_linear_attention()) {
    // Each sequence's linear-attention state, whatever its length, in the model's dtype
    // and sharded by heads over the group (vLLM's MambaSpec: one state per layer per request).
    footprint.kv_cache_bytes += sequences * architecture.sequence_state_bytes(query.activation_dtype) /
                                static_cast<double>(query.tensor_parallel);
  }
  // The calculator's activation estimate: 4 x B x S x H values.
  footprint.activation_bytes = 4.0 * sequences * tokens * static_cast<double>(model.hidden_size) *
                               bytes_per_element(query.activation_dtype);
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
