#include "sim/engine/speculative.h"

#include <algorithm>

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

double expected_acceptance_length(const std::vector<double>& acceptance) {
  double length = 1.0;
  double all_accepted = 1.0;
  for (const double p : acceptance) {
    all_accepted *= p;
    length += all_accepted;
  }
  return length;
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
                                                     hw::Parallelism{pool.tensor_parallel}, hw::HostTime{});
    case SpeculativeMethod::eagle3:
    case SpeculativeMethod::mtp: {
      LLMSIM_CHECK(speculative.draft_layers >= 1, "a draft head has a layer (the loader checks it)");
      core::ModelSpec head = pool.model;
      head.id = pool.model.id + "/draft-head";
      head.num_layers = speculative.draft_layers;
      // The head attends the whole context (no sliding window: EAGLE-3's and DeepSeek's
      // MTP layers are full-attention layers).
      head.sliding_window = 0;
      head.sliding_window_layers = 0;
      return std::make_shared<const ModelStepPricer>(head, pool.hardware, pool.precision, hw::Parallelism{pool.tensor_parallel},
                                                     hw::HostTime{});
    }
  }
  return nullptr;
}

hw::BatchShape draft_pass_shape(std::int64_t seqs, double keys) {
  hw::BatchShape shape;
  shape.decode_seqs = seqs;
  shape.decode_kv_tokens = keys;
  shape.sampled_seqs = seqs;
  return shape;
}

}  // namespace llmsim::sim
