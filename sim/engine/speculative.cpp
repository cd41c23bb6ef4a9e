#include "sim/engine/speculative.h"

#include <algorithm>

#include "core/byte_counts.h"
#include "core/memory_footprint.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"
#include "sim/check.h"
#include "sim/engine/model_step_pricer.h"

namespace llmsim::sim {

std::int64_t draw_accepted(const std::vector<double>& acceptance, std::int64_t drafts, workloads::RngStream& rng) {
  LLMSIM_CHECK(drafts >= 0 && static_cast<std::size_t>(drafts) <= acceptance.size(),
               "a sequence drafts at most num_speculative_tokens tokens");
  std::int64_t accepted = 0;
  while (accepted < drafts && rng.uniform_open01() < acceptance[static_cast<std::size_t>(accepted)]) ++accepted;
  return accepted;
}

std::int64_t draw_accepted(double p, std::int64_t drafts, workloads::RngStream& rng) {
  std::int64_t accepted = 0;
  while (accepted < drafts && rng.uniform_open01() < p) ++accepted;
  return accepted;
}

double acceptance_for_length(double length, std::int64_t k) {
  LLMSIM_CHECK(k >= 1 && length >= 1.0 && length <= static_cast<double>(k + 1),
               "an acceptance length lies in [1, k + 1] (the loader checks it)");
  const auto length_at = [k](double p) {
    double sum = 1.0;
    double all_accepted = 1.0;
    for (std::int64_t i = 0; i < k; ++i) {
      all_accepted *= p;
      sum += all_accepted;
    }
    return sum;
  };
  double low = 0.0;
  double high = 1.0;
  while (high - low > 1e-12) {  // the length grows with p
    const double mid = (low + high) / 2.0;
    (length_at(mid) < length ? low : high) = mid;
  }
  return (low + high) / 2.0;
}

double expected_acceptance_length(const std::vector<double>& acceptance) {
  double length = 1.0;
  double all_accepted = 1.0;
  for (const double p : acceptance) {
    all_accepted *= p;
    length += all_accepted;
  }
  return length;
}

core::ModelSpec draft_head_shape(const PoolSpec& pool) {
  const std::int64_t layers = pool.engine.speculative.draft_layers;
  LLMSIM_CHECK(layers >= 1 && layers <= pool.model.num_layers, "a draft head has 1..num_layers layers (the loader checks it)");
  core::ModelSpec head = pool.model;
  head.id = pool.model.id + "/draft-head";
  head.num_layers = layers;
  // The head attends the whole context (no sliding window: EAGLE-3's and DeepSeek's MTP
  // layers are full-attention layers).
  head.sliding_window = 0;
  head.sliding_window_layers = 0;
  if (pool.model.is_moe()) {
    // The target's last `layers` layers: their MoE count is the target's less that of the
    // layers before them (DeepSeek-V3's MTP module is a MoE block, report section 2.2).
    core::ModelSpec before = pool.model;
    before.num_layers = pool.model.num_layers - layers;
    const std::int64_t moe_before =
        before.num_layers > before.first_k_dense_replace
            ? (before.num_layers - before.first_k_dense_replace) / before.moe_layer_step
            : 0;
    const std::int64_t moe = core::moe_layer_count(pool.model) - moe_before;
    head.moe_layer_step = 1;  // only counts matter: dense layers first, then the MoE ones
    head.first_k_dense_replace = layers - moe;
    if (moe == 0) {  // the last layers are dense (an interleaved MoE ending on a dense layer)
      head.num_experts = 0;
      head.experts_per_token = 0;
      head.num_shared_experts = 0;
      head.first_k_dense_replace = 0;
    }
  }
  return head;
}

hw::Parallelism draft_parallelism(const PoolSpec& pool) {
  hw::Parallelism parallelism{pool.tensor_parallel};
  const SpeculativeConfig& speculative = pool.engine.speculative;
  if (pool.attention_data_parallel <= 1 || !speculative.enabled() || speculative.method == SpeculativeMethod::ngram) {
    return parallelism;
  }
  const bool moe_drafter = speculative.draft_model ? speculative.draft_model->is_moe()
                                                   : core::moe_layer_count(draft_head_shape(pool)) > 0;
  if (!moe_drafter) return parallelism;
  parallelism.attention_data_parallel = pool.attention_data_parallel;
  parallelism.expert_parallel = pool.expert_parallel;
  parallelism.expert_balancer = pool.expert_balancer;
  return parallelism;
}

std::shared_ptr<const StepPricer> make_draft_pricer(const PoolSpec& pool) {
  const SpeculativeConfig& speculative = pool.engine.speculative;
  if (!speculative.enabled()) return nullptr;
  switch (speculative.method) {
    case SpeculativeMethod::ngram:
      return nullptr;
    case SpeculativeMethod::draft_model:
      LLMSIM_CHECK(speculative.draft_model.has_value(), "a draft_model engine names its draft (the loader checks it)");
      return std::make_shared<const ModelStepPricer>(*speculative.draft_model, pool.hardware, pool.precision,
                                                     draft_parallelism(pool), hw::HostTime{});
    case SpeculativeMethod::eagle:
    case SpeculativeMethod::eagle3:
    case SpeculativeMethod::mtp: {
      if (speculative.draft_model) {
        // The head's own shape (a head preset: its layers, its LM head over its vocabulary).
        return std::make_shared<const ModelStepPricer>(*speculative.draft_model, pool.hardware, pool.precision,
                                                       draft_parallelism(pool), hw::HostTime{});
      }
      return std::make_shared<const ModelStepPricer>(draft_head_shape(pool), pool.hardware, pool.precision,
                                                     draft_parallelism(pool), hw::HostTime{});
    }
  }
  return nullptr;
}

DraftFootprint draft_footprint(const PoolSpec& pool) {
  const SpeculativeConfig& speculative = pool.engine.speculative;
  if (!speculative.enabled() || speculative.method == SpeculativeMethod::ngram) return {};
  const auto tp = static_cast<double>(pool.tensor_parallel);
  // The drafter's weights on the layout it runs on (draft_parallelism): a MoE drafter on the
  // pool's DP and EP layout holds 1/EP of its routed experts per GPU and the rest (attention,
  // router, shared experts) per DP rank, split over TP; any other drafter is split over TP
  // alone (weight_bytes_per_gpu is then weight_bytes / TP, bit for bit).
  const hw::Parallelism runs_on = draft_parallelism(pool);
  const core::GpuLayout layout{.tensor_parallel = runs_on.tensor_parallel,
                               .attention_data_parallel = runs_on.attention_data_parallel,
                               .expert_parallel = runs_on.expert_parallel};
  DraftFootprint footprint;
  if (speculative.draft_model) {
    footprint.weight_bytes = core::weight_bytes_per_gpu(*speculative.draft_model, pool.precision.weights, layout);
    footprint.kv_bytes_per_token =
        core::kv_cache_bytes_per_token_per_gpu(*speculative.draft_model, pool.precision.kv_cache, pool.tensor_parallel);
    return footprint;
  }
  const core::ModelSpec head = draft_head_shape(pool);
  const double embedding_bytes = core::parameter_bytes(core::count_parameters(head).embedding, pool.precision.weights);
  // weight_bytes_per_gpu holds the embedding (and an untied head) / TP on every GPU; under
  // TP alone the expression of before, so that no TP-only footprint moves by a rounding.
  footprint.weight_bytes = runs_on.tensor_only()
                               ? (core::weight_bytes(head, pool.precision.weights) - embedding_bytes) / tp
                               : core::weight_bytes_per_gpu(head, pool.precision.weights, layout) - embedding_bytes / tp;
  footprint.kv_bytes_per_token =
      core::kv_cache_bytes_per_token_per_gpu(head, pool.precision.kv_cache, pool.tensor_parallel);
  return footprint;
}

void add_parallel_draft(hw::BatchShape& shape, std::int64_t drafts, std::int64_t context) {
  const auto s = static_cast<double>(drafts);
  const auto c = static_cast<double>(context);
  ++shape.verify_seqs;
  shape.verify_tokens += drafts;
  shape.verify_attention_pairs += s * c + s * (s + 1.0) / 2.0;
  shape.verify_kv_tokens += c + s;  // read once for the pass's `drafts` queries
  shape.sampled_seqs += drafts;
}

hw::BatchShape draft_pass_shape(std::int64_t seqs, double keys) {
  hw::BatchShape shape;
  shape.decode_seqs = seqs;
  shape.decode_kv_tokens = keys;
  shape.sampled_seqs = seqs;
  return shape;
}

}  // namespace llmsim::sim
