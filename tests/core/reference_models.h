// ModelSpecs of published models, written out by hand from their Hugging Face config.json
// files, for the core tests. Only the fields the arithmetic reads are set.
#pragma once

#include "core/model_spec.h"

namespace llmsim::core::testing {

/// meta-llama/Llama-3.1-8B config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads,
/// intermediate 14336, vocab 128256, max positions 131072, tie_word_embeddings false.
inline ModelSpec llama_3_1_8b() {
  ModelSpec m;
  m.id = "llama-3.1-8b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;  // 4096 / 32, no "head_dim" key in the config
  m.intermediate_size = 14336;
  m.vocab_size = 128256;
  m.max_position_embeddings = 131072;
  m.tie_word_embeddings = false;
  m.nominal_params = 8e9;
  return m;
}

/// meta-llama/Llama-2-7b-hf config.json: 32 layers, hidden 4096, 32 heads and 32 KV heads
/// (multi-head attention), intermediate 11008, vocab 32000, max positions 4096, untied.
inline ModelSpec llama_2_7b() {
  ModelSpec m;
  m.id = "llama-2-7b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 32;
  m.head_dim = 128;
  m.intermediate_size = 11008;
  m.vocab_size = 32000;
  m.max_position_embeddings = 4096;
  m.nominal_params = 7e9;
  return m;
}

/// meta-llama/Llama-3.2-1B config.json: 16 layers, hidden 2048, 32 heads, 8 KV heads,
/// head_dim 64, intermediate 8192, vocab 128256, tie_word_embeddings true.
inline ModelSpec llama_3_2_1b() {
  ModelSpec m;
  m.id = "llama-3.2-1b";
  m.num_layers = 16;
  m.hidden_size = 2048;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 64;
  m.intermediate_size = 8192;
  m.vocab_size = 128256;
  m.max_position_embeddings = 131072;
  m.tie_word_embeddings = true;
  return m;
}

/// mistralai/Mixtral-8x7B-v0.1 config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads,
/// intermediate 14336 (each expert), num_local_experts 8, num_experts_per_tok 2, vocab
/// 32000, max positions 32768, untied. Mistral AI announced 46.7B total, 12.9B active.
inline ModelSpec mixtral_8x7b() {
  ModelSpec m;
  m.id = "mixtral-8x7b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 14336;
  m.vocab_size = 32000;
  m.max_position_embeddings = 32768;
  m.num_experts = 8;
  m.experts_per_token = 2;
  m.expert_intermediate_size = 14336;
  m.nominal_params = 46.7e9;
  return m;
}

/// Qwen/Qwen3-8B config.json: 36 layers, hidden 4096, 32 heads, 8 KV heads, head_dim 128,
/// intermediate 12288, vocab 151936, max positions 40960, attention_bias false, untied.
inline ModelSpec qwen3_8b() {
  ModelSpec m;
  m.id = "qwen3-8b";
  m.num_layers = 36;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 12288;
  m.vocab_size = 151936;
  m.max_position_embeddings = 40960;
  m.qk_norm = true;  // Qwen3Attention's q_norm and k_norm
  m.nominal_params = 8e9;
  return m;
}

/// Qwen/Qwen2.5-Math-7B-Instruct config.json: 28 layers, hidden 3584, 28 heads, 4 KV
/// heads (head_dim 3584 / 28 = 128), intermediate 18944, vocab 152064, max positions 4096,
/// untied; Qwen2 attention carries q/k/v biases.
inline ModelSpec qwen2_5_math_7b_instruct() {
  ModelSpec m;
  m.id = "qwen2.5-math-7b-instruct";
  m.num_layers = 28;
  m.hidden_size = 3584;
  m.num_attention_heads = 28;
  m.num_kv_heads = 4;
  m.head_dim = 128;
  m.intermediate_size = 18944;
  m.vocab_size = 152064;
  m.max_position_embeddings = 4096;
  m.attention_bias = true;
  m.nominal_params = 7e9;
  return m;
}

/// Qwen/Qwen2.5-Math-PRM-7B: the Qwen2.5-Math-7B body with its LM head replaced by the
/// score head Linear(3584, 3584) + ReLU + Linear(3584, 2) (Qwen2ForProcessRewardModel).
inline ModelSpec qwen2_5_math_prm_7b() {
  ModelSpec m = qwen2_5_math_7b_instruct();
  m.id = "qwen2.5-math-prm-7b";
  m.head = HeadKind::reward;
  m.reward_head_outputs = 2;
  return m;
}

/// A toy model small enough to price by hand: 2 layers, hidden 8, 2 query heads and 1 KV
/// head of width 4, gated MLP of width 16, vocabulary 10, untied.
///   attention 2*8*8 + 2*8*4 = 192, MLP 3*8*16 = 384, norms 2*8 = 16: 592 per layer;
///   non-embedding 2*592 + 8 = 1192; LM head 10*8 = 80; embedding 160.
inline ModelSpec toy_model() {
  ModelSpec m;
  m.id = "toy";
  m.num_layers = 2;
  m.hidden_size = 8;
  m.num_attention_heads = 2;
  m.num_kv_heads = 1;
  m.head_dim = 4;
  m.intermediate_size = 16;
  m.vocab_size = 10;
  m.max_position_embeddings = 64;
  m.nominal_params = 1e9;
  return m;
}

/// deepseek-ai/DeepSeek-V3 config.json (tests/data/hf/deepseek-v3.config.json): 61 layers,
/// hidden 7168, 128 heads; MLA q_lora_rank 1536, kv_lora_rank 512, qk_nope_head_dim 128,
/// qk_rope_head_dim 64, v_head_dim 128; the first 3 layers dense (intermediate 18432), the
/// other 58 MoE with 256 routed experts of 2048 (8 per token) and 1 shared; vocab 129280,
/// untied, max positions 163840.
inline ModelSpec deepseek_v3() {
  ModelSpec m;
  m.id = "deepseek-v3";
  m.num_layers = 61;
  m.hidden_size = 7168;
  m.num_attention_heads = 128;
  m.num_kv_heads = 128;
  m.head_dim = 192;  // qk_nope_head_dim + qk_rope_head_dim
  m.intermediate_size = 18432;
  m.vocab_size = 129280;
  m.max_position_embeddings = 163840;
  m.q_lora_rank = 1536;
  m.kv_lora_rank = 512;
  m.qk_nope_head_dim = 128;
  m.qk_rope_head_dim = 64;
  m.v_head_dim = 128;
  m.num_experts = 256;
  m.experts_per_token = 8;
  m.expert_intermediate_size = 2048;
  m.num_shared_experts = 1;
  m.shared_expert_intermediate_size = 2048;
  m.first_k_dense_replace = 3;
  m.nominal_params = 671e9;
  return m;
}

/// openai/gpt-oss-120b config.json (tests/data/hf/gpt-oss-120b.config.json): 36 layers,
/// 18 of them with a 128-token window; hidden 2880, 64 heads of 64, 8 KV heads, q/k/v biases,
/// attention sinks; 128 experts of 2880, top-4; vocab 201088, untied; experts in MXFP4
/// (0.53125 bytes per weight), the rest in the deployment's format.
inline ModelSpec gpt_oss_120b() {
  ModelSpec m;
  m.id = "gpt-oss-120b";
  m.num_layers = 36;
  m.hidden_size = 2880;
  m.num_attention_heads = 64;
  m.num_kv_heads = 8;
  m.head_dim = 64;
  m.intermediate_size = 2880;
  m.vocab_size = 201088;
  m.max_position_embeddings = 131072;
  m.attention_bias = true;
  m.attention_sinks = true;
  m.sliding_window = 128;
  m.sliding_window_layers = 18;
  m.num_experts = 128;
  m.experts_per_token = 4;
  m.expert_intermediate_size = 2880;
  m.expert_bytes_per_weight = 0.53125;
  m.nominal_params = 117e9;
  return m;
}

/// Qwen/Qwen3-Next-80B-A3B-Instruct config.json: 48 layers, hidden 2048, 16 heads, 2 KV
/// heads of 256 (gated attention, q/k norms), 512 experts of 512 top-10 plus a shared one of
/// 512, vocab 151936, untied; 36 Gated DeltaNet layers (full_attention_interval 4) with 16
/// key heads and 32 value heads of 128, conv kernel 4.
inline ModelSpec qwen3_next_80b_a3b() {
  ModelSpec m;
  m.id = "qwen3-next-80b-a3b";
  m.num_layers = 48;
  m.hidden_size = 2048;
  m.num_attention_heads = 16;
  m.num_kv_heads = 2;
  m.head_dim = 256;
  m.intermediate_size = 5120;
  m.vocab_size = 151936;
  m.max_position_embeddings = 262144;
  m.qk_norm = true;
  m.attention_output_gate = true;
  m.num_experts = 512;
  m.experts_per_token = 10;
  m.expert_intermediate_size = 512;
  m.num_shared_experts = 1;
  m.shared_expert_intermediate_size = 512;
  m.linear_mixer = LinearMixer::gated_delta_net;
  m.linear_attention_layers = 36;
  m.linear_num_key_heads = 16;
  m.linear_key_head_dim = 128;
  m.linear_num_value_heads = 32;
  m.linear_value_head_dim = 128;
  m.linear_conv_kernel_dim = 4;
  m.nominal_params = 80e9;
  return m;
}

/// nvidia/Nemotron-H-8B-Base-8K config.json: 52 single-block layers (24 Mamba-2, 4 attention,
/// 24 relu2 MLPs of 21504), hidden 4096, 32 heads, 8 KV heads of 128, Mamba-2 128 heads of 64,
/// 8 groups of state 128, conv 4, vocab 131072, untied.
inline ModelSpec nemotron_h_8b() {
  ModelSpec m;
  m.id = "nemotron-h-8b";
  m.num_layers = 52;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 21504;
  m.vocab_size = 131072;
  m.max_position_embeddings = 8192;
  m.gated_mlp = false;
  m.ffn_only_layers = 24;
  m.linear_mixer = LinearMixer::mamba2;
  m.linear_attention_layers = 24;
  m.linear_num_key_heads = 8;
  m.linear_key_head_dim = 128;
  m.linear_num_value_heads = 128;
  m.linear_value_head_dim = 64;
  m.linear_conv_kernel_dim = 4;
  m.nominal_params = 8e9;
  return m;
}

/// meta-llama/Llama-4-Scout-17B-16E text_config: 48 layers, hidden 5120, 40 heads, 8 KV heads
/// of 128, 16 experts of 8192 top-1 plus a shared one on every layer, vocab 202048, 36 RoPE
/// layers in 8192-token chunks (every 4th NoPE and global).
inline ModelSpec llama_4_scout() {
  ModelSpec m;
  m.id = "llama-4-scout";
  m.num_layers = 48;
  m.hidden_size = 5120;
  m.num_attention_heads = 40;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 16384;
  m.vocab_size = 202048;
  m.max_position_embeddings = 10485760;
  m.num_experts = 16;
  m.experts_per_token = 1;
  m.expert_intermediate_size = 8192;
  m.num_shared_experts = 1;
  m.shared_expert_intermediate_size = 8192;
  m.attention_chunk_size = 8192;
  m.chunked_attention_layers = 36;
  m.nominal_params = 109e9;
  return m;
}

}  // namespace llmsim::core::testing
