// ModelSpec: a transformer's architecture, the facts of a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/dtype.h"

namespace llmsim::core {

/// What the final projection produces: next-token logits (a generator) or a small
/// per-token score head (a process reward model such as Qwen2.5-Math-PRM-7B).
enum class HeadKind { language_model, reward };

/// The recurrent token mixer of a hybrid model's linear-attention layers.
///   gated_delta_net  Qwen3-Next's Gated DeltaNet (Yang, Kautz and Hatamizadeh, "Gated Delta
///                    Networks", arXiv:2412.06464; transformers' Qwen3NextGatedDeltaNet)
///   mamba2           Nemotron-H's Mamba-2 mixer (Dao and Gu, arXiv:2405.21060; transformers'
///                    NemotronHMamba2Mixer)
enum class LinearMixer { none, gated_delta_net, mamba2 };

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

  // Chunked local attention (Llama 4's attention_chunk_size on its RoPE layers; the NoPE
  // layers, no_rope_layers 0, attend the whole context): `chunked_attention_layers` of the
  // layers let the query at position p attend only the keys of its own chunk of
  // `attention_chunk_size` tokens, floor(p / C) C .. p. 0 and 0: no chunking.
  std::int64_t attention_chunk_size = 0;
  std::int64_t chunked_attention_layers = 0;

  // Multi-head latent attention (MLA; DeepSeek-V2 paper, arXiv:2405.04434, section 2.1):
  // kv_lora_rank > 0 marks an MLA model. Each token caches one latent of kv_lora_rank
  // elements plus a shared rotary key of qk_rope_head_dim elements per layer, instead of
  // K and V per KV head. Queries go through a low-rank q_lora_rank projection (0: a direct
  // q_proj, as in DeepSeek-V2-Lite). Query/key heads are qk_nope_head_dim + qk_rope_head_dim
  // wide, value heads v_head_dim. num_kv_heads and head_dim are not used by MLA formulas.
  std::int64_t q_lora_rank = 0;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t v_head_dim = 0;

  // DeepSeek Sparse Attention (DSA; DeepSeek-V3.2 tech report, arXiv:2512.02556, section 2.1),
  // an option of MLA: index_topk > 0 marks it. A lightning indexer of index_n_heads heads of
  // index_head_dim scores every earlier token for each query (in FP8), and the MLA attention
  // then attends only the index_topk best-scoring keys. Each token caches, per layer, one
  // indexer key beside the MLA latent. Config.json names (DeepseekV32Config).
  std::int64_t index_n_heads = 0;
  std::int64_t index_head_dim = 0;
  std::int64_t index_topk = 0;

  // Hybrid linear attention: `linear_attention_layers` of the num_layers layers replace
  // attention with a recurrent mixer that keeps a constant-size state per sequence instead
  // of per-token KV (the other layers are full attention). Both mixers have the same state
  // shape, read with these names (config.json keys: Qwen3-Next / Nemotron-H):
  //   key heads      linear_num_key_heads   / n_groups       (GDN's k and q heads; Mamba-2's B and C groups)
  //   key head dim   linear_key_head_dim    / ssm_state_size
  //   value heads    linear_num_value_heads / mamba_num_heads
  //   value head dim linear_value_head_dim  / mamba_head_dim
  //   conv kernel    linear_conv_kernel_dim / conv_kernel    (causal depthwise conv over q, k, v / x, B, C)
  // Recurrent state per layer: value heads x key head dim x value head dim; conv state:
  // (2 x key heads x key head dim + value heads x value head dim) x (conv kernel - 1).
  LinearMixer linear_mixer = LinearMixer::none;
  std::int64_t linear_attention_layers = 0;
  std::int64_t linear_num_key_heads = 0;
  std::int64_t linear_key_head_dim = 0;
  std::int64_t linear_num_value_heads = 0;
  std::int64_t linear_value_head_dim = 0;
  std::int64_t linear_conv_kernel_dim = 0;
  /// The recurrent state's format when the checkpoint fixes it (Qwen3.5's config.json:
  /// "mamba_ssm_dtype": "float32", which vLLM's Qwen3_5ForConditionalGenerationConfig makes the
  /// mamba_ssm_cache_dtype); empty: the activations' format, like the conv state.
  std::optional<DType> linear_recurrent_state_dtype;
  /// Qwen3-Next's gated attention: q_proj is twice as wide, its second half a sigmoid gate on
  /// the attention output (transformers' Qwen3NextAttention). Parameters and GEMM FLOPs only.
  bool attention_output_gate = false;
  /// Nemotron-H's single-block layers (hybrid_override_pattern): when > 0, this many of the
  /// num_layers layers are an MLP alone ('-'), and every other layer a token mixer alone
  /// (attention '*' or linear attention 'M'), each block with one RMSNorm. 0: every layer is
  /// a mixer followed by an FFN, each with its norm (Llama and the rest).
  std::int64_t ffn_only_layers = 0;

  // Mixture of experts; num_experts == 0 means a dense model.
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t expert_intermediate_size = 0;
  std::int64_t num_shared_experts = 0;
  std::int64_t shared_expert_intermediate_size = 0;
  // Which layers of a MoE model are MoE: the first `first_k_dense_replace` layers have a
  // dense MLP of intermediate_size (DeepSeek-V3: 3); of the layers after them every
  // `moe_layer_step`-th is MoE, counting from the step-th (Llama 4's
  // interleave_moe_layer_step: moe_layers = step-1, 2 step-1, ...), the others dense.
  // Defaults (0, 1): every layer is MoE, as in Mixtral and Qwen MoE. Only counts matter.
  std::int64_t first_k_dense_replace = 0;
  std::int64_t moe_layer_step = 1;

  /// How the checkpoint stores its weights, from config.json's quantization_config (fp8
  /// for DeepSeek-V3's block-scaled e4m3); empty when the file says nothing (16-bit
  /// weights). A scenario without precision.weights runs the model in this format.
  std::optional<DType> checkpoint_weights;
  /// The KV cache format the checkpoint was calibrated for (ModelOpt's kv_cache_quant_algo:
  /// fp8 or nvfp4); empty when the file says nothing. A scenario without
  /// precision.kv_cache stores the KV cache in it.
  std::optional<DType> checkpoint_kv_cache;
  std::string checkpoint_quantization;  ///< what quantization_config said, for messages; empty if none
  /// > 0: the routed experts are stored at this many bytes per weight whatever the
  /// deployment's weight dtype (gpt-oss: MXFP4 experts, 4-bit elements plus one 8-bit scale
  /// per 32 = 0.53125 bytes, with attention, router and embeddings in bf16), and computed in
  /// 16-bit (weight-only). 0: the experts are stored like every other weight.
  double expert_bytes_per_weight = 0.0;
  /// gpt-oss's attention sinks: one learned logit per query head and layer, counted as
  /// parameters; their FLOPs (one more softmax term per query and head) are left out.
  bool attention_sinks = false;

  HeadKind head = HeadKind::language_model;
  std::int64_t reward_head_outputs = 2;  ///< width of the reward head's last layer (PRMs)

  /// The size in the model's name ("8B" -> 8e9), used by the `simple` FLOP method with
  /// params = nominal and by test-time-compute accounting.
  double nominal_params = 0.0;

  bool is_moe() const { return num_experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
  /// MLA whose attention is restricted to the indexer's top-k keys (DeepSeek-V3.2's DSA).
  bool has_sparse_attention() const { return index_topk > 0; }
  bool has_linear_attention() const { return linear_attention_layers > 0; }
  /// Layers whose mixer is (full or windowed) attention: all but the linear and FFN-only ones.
  std::int64_t attention_layers() const { return num_layers - linear_attention_layers - ffn_only_layers; }
};

}  // namespace llmsim::core
