// Parameter counts derived from a ModelSpec.
#pragma once

#include "core/model_spec.h"

namespace llmsim::core {

/// Parameter counts, in parameters (not bytes).
///   embedding     = vocab x hidden for the input embedding, plus the same again for an
///                   untied LM head (Kaplan 2020 leaves both out of "non-embedding").
///   non_embedding = total - embedding: attention, MLP/experts, routers, norms, reward head.
///   active        = parameters touched per token: for MoE only experts_per_token routed
///                   experts (plus shared experts) count; equals total for dense models.
///   active_non_embedding = active - embedding: what the `precise` method multiplies by 2T.
///   lm_head       = the output projection: vocab x hidden for a language model (counted in
///                   `embedding`, once if tied); for HeadKind::reward the score head
///                   Linear(h,h)+ReLU+Linear(h,outputs) with biases, counted in
///                   `non_embedding` because it runs on every token like the layers do.
/// Module-by-module conventions and checks are in parameter_counts.cpp.
struct ParameterCounts {
  double embedding = 0.0;
  double non_embedding = 0.0;
  double total = 0.0;
  double active = 0.0;
  double active_non_embedding = 0.0;
  double per_layer_active = 0.0;  ///< active parameters of a decoder layer, mean over layers
  double lm_head = 0.0;           ///< parameters of the output projection (vocab x hidden or reward head)
};

/// Precondition: a spec the loader validated (check_model_spec aborts otherwise).
ParameterCounts count_parameters(const ModelSpec& model);

/// Parameters of all routed experts of all MoE layers (0 for a dense model).
double routed_expert_parameters(const ModelSpec& model);

/// Parameters of one MLA layer that tensor parallelism does not split: the down
/// projections q_a_proj and kv_a_proj_with_mqa and their RMSNorms, which vLLM's
/// DeepseekV2MLAAttention builds as replicated (not column-parallel) linears, so every
/// GPU holds and reads them. 0 for a model without MLA.
double latent_attention_replicated_parameters(const ModelSpec& model);

}  // namespace llmsim::core
