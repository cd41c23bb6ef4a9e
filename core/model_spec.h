// ModelSpec: a transformer's architecture, the facts of a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <string>

namespace llmsim::core {

/// What the final projection produces: next-token logits (a generator) or a small
/// per-token score head (a process reward model such as Qwen2.5-Math-PRM-7B).
enum class HeadKind { language_model, reward };

/// A decoder-only transformer. Plain aggregate; the loader fills it and checks ranges
/// (every count positive, num_attention_heads divisible by num_kv_heads, MoE fields
/// consistent). Counts are in elements, not bytes.
struct ModelSpec {
  std::string id;      ///< preset id, e.g. "llama-3.1-8b", or the config.json path
  std::string source;  ///< where the numbers come from (URL or document)

  std::int64_t num_layers = 0;           ///< num_hidden_layers
  std::int64_t hidden_size = 0;          ///< d_model
  std::int64_t num_attention_heads = 0;  ///< query heads
  std::int64_t num_kv_heads = 0;         ///< key/value heads (GQA); equals query heads for MHA
  std::int64_t head_dim = 0;             ///< per-head width; hidden_size / heads unless set
  std::int64_t intermediate_size = 0;    ///< dense MLP width (unused by MoE layers)
  std::int64_t vocab_size = 0;
  std::int64_t max_position_embeddings = 0;  ///< longest context the model accepts, tokens
  bool tie_word_embeddings = false;  ///< LM head shares the input embedding matrix
  bool gated_mlp = true;             ///< SwiGLU-style (3 matrices) vs plain (2 matrices)
  bool attention_bias = false;       ///< q/k/v projections carry biases (Qwen2)
  bool qk_norm = false;              ///< RMSNorm on each query and key head (Qwen3): 2 x head_dim weights per layer

  // Sliding-window attention: `sliding_window_layers` of the num_layers layers let each
  // query attend only the last `sliding_window` tokens (itself included); the others attend
  // the whole context. sliding_window == 0 means no window (then sliding_window_layers == 0).
  // Which layers are windowed does not matter to the arithmetic, only how many.
  std::int64_t sliding_window = 0;         ///< tokens a windowed layer's query attends, or 0
  std::int64_t sliding_window_layers = 0;  ///< layers that use the window, 0..num_layers

  // Mixture of experts; num_experts == 0 means a dense model.
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t expert_intermediate_size = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t shared_expert_intermediate_size = 0;

  HeadKind head = HeadKind::language_model;
  std::int64_t reward_head_outputs = 2;  ///< width of the reward head's last layer (PRMs)

  /// The size in the model's name ("8B" -> 8e9), used by the `simple` FLOP method with
  /// params = nominal and by test-time-compute accounting.
  double nominal_params = 0.0;

  bool is_moe() const { return num_experts > 0; }
};

}  // namespace llmsim::core
