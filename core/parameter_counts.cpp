// Parameter counts from the architecture, module by module as Hugging Face's
// LlamaForCausalLM / Qwen2ForCausalLM / MixtralForCausalLM define them:
//   per decoder layer
//     attention  q_proj h x (heads*head_dim), k_proj and v_proj h x (kv_heads*head_dim),
//                o_proj (heads*head_dim) x h, no biases except q/k/v when attention_bias
//                (Qwen2: "bias=True" on q/k/v only, o_proj has none)
//     norms      input_layernorm + post_attention_layernorm: RMSNorm, a weight of h each
//     MLP        gated (SwiGLU gate/up/down): 3 x h x width; plain (up/down): 2 x h x width;
//                no biases (Llama/Qwen/Mixtral configs: mlp_bias false)
//     MoE        router (Mixtral's "gate") h x num_experts, num_experts routed experts,
//                num_shared_experts shared experts, each an MLP of its width
//   final norm   h
//   embedding    vocab x h; the LM head another vocab x h unless tied
//   reward head  Qwen2.5-Math-PRM-7B replaces the LM head with
//                score = Sequential(Linear(h, h), ReLU(), Linear(h, num_labels=2)),
//                torch's Linear carrying a bias by default
//                (Qwen2ForProcessRewardModel in vLLM/SGLang, modeling_qwen2_rm.py)
//   qk norms   Qwen3's q_norm and k_norm (qk_norm): 2 x head_dim per layer
//   sinks      gpt-oss's attention sinks (attention_sinks): one logit per query head per layer
//   MLA        DeepseekV3Attention (transformers' modeling_deepseek_v3.py; DeepSeek-V2
//              paper, section 2.1): q_a_proj h x q_lora, q_a_layernorm q_lora, q_b_proj
//              q_lora x heads (qk_nope + qk_rope) (or q_proj h x heads (qk_nope + qk_rope)
//              when q_lora_rank is 0), kv_a_proj_with_mqa h x (kv_lora + qk_rope),
//              kv_a_layernorm kv_lora, kv_b_proj kv_lora x heads (qk_nope + v_head_dim),
//              o_proj heads v_head_dim x h; no biases (attention_bias false; the loader
//              refuses attention_bias with MLA)
//   DSA indexer DeepSeek-V3.2's lightning indexer (index_topk > 0; the checkpoint's
//              self_attn.indexer tensors, vLLM's Indexer in deepseek_v2.py): wq_b q_lora x
//              index_n_heads index_head_dim, wk h x index_head_dim, k_norm a LayerNorm (weight
//              and bias, 2 x index_head_dim), weights_proj h x index_n_heads; no other bias
//   gated attention  Qwen3-Next's Qwen3NextAttention: q_proj h x 2 (heads*head_dim), the
//              second half a sigmoid gate on the attention output (attention_output_gate)
//   Gated DeltaNet  a linear-attention layer of Qwen3-Next (transformers'
//              Qwen3NextGatedDeltaNet; kd = key heads x key head dim, vd = value heads x value
//              head dim): in_proj_qkvz h x (2 kd + 2 vd), in_proj_ba h x 2 value heads, conv1d
//              (2 kd + vd) x kernel (no bias), dt_bias and A_log one per value head, the gated
//              RMSNorm value head dim, out_proj vd x h; its q/k norms are not there (only the
//              full-attention layers have q_norm and k_norm)
//   Mamba-2    a Nemotron-H mixer (transformers' NemotronHMamba2Mixer; d = mamba heads x
//              mamba_head_dim, gs = n_groups x ssm_state_size): in_proj h x (2 d + 2 gs + heads),
//              conv1d (d + 2 gs) x kernel + its bias (use_conv_bias), dt_bias, A_log and D one
//              per head, the gated RMSNorm d, out_proj d x h
//   blocks     Nemotron-H's layers (ffn_only_layers > 0, NemotronHBlock): one RMSNorm (h) and
//              one of a mixer (attention or Mamba-2) or a plain MLP (up, down: relu2)
//   dense/MoE  DeepSeek-V3's first_k_dense_replace layers (and Llama 4's non-MoE layers)
//              have a dense MLP of intermediate_size, the others the MoE FFN
// Not representable in ModelSpec and so not counted: Qwen2-MoE's shared_expert_gate
// (h per layer); gpt-oss's o_proj, router and expert biases (36 x 1,108,928 in
// gpt-oss-120b, 0.03%); DeepSeek-V3's router e_score_correction_bias (n_routed_experts per MoE
// layer: 58 x 256 = 14,848) and its multi-token-prediction module (num_nextn_predict_layers:
// the 14B of the 685B checkpoint the V3 report leaves out of its 671B).
//
// Checks against the published sizes (computed by these formulas, to the parameter):
//   Llama-3.1-8B 8,030,261,248; Llama-2-7B 6,738,415,616; Mixtral-8x7B 46,702,792,704
//   total and 12,879,925,248 active; Qwen2.5-Math-7B 7,615,616,512.
#include "core/parameter_counts.h"

#include <variant>

#include "core/architecture.h"
#include "core/model_dims.h"

namespace llmsim::core {
namespace {

double as_double(std::int64_t value) { return static_cast<double>(value); }

/// One MLP (dense, a routed expert or a shared expert) of the given width.
double mlp_parameters(const ModelSpec& model, std::int64_t width) {
  const double matrices = model.gated_mlp ? 3.0 : 2.0;
  return matrices * as_double(model.hidden_size) * as_double(width);
}

/// An FFN kind's parameters: all of them, and those one token touches.
struct FfnParameters {
  double total = 0.0;
  double active = 0.0;
};

FfnParameters ffn_parameters(const ModelSpec& model, const FfnKind& ffn) {
  if (std::holds_alternative<NoFfn>(ffn)) return {0.0, 0.0};
  if (const auto* dense = std::get_if<DenseFfn>(&ffn)) {
    const double params = mlp_parameters(model, dense->intermediate_size);
    return {params, params};
  }
  const auto& moe = std::get<MoeFfn>(ffn);
  const double router = as_double(model.hidden_size) * as_double(moe.num_experts);
  const double expert = mlp_parameters(model, moe.expert_width);
  const double shared = as_double(moe.num_shared_experts) * mlp_parameters(model, moe.shared_expert_width);
  return {router + as_double(moe.num_experts) * expert + shared,
          router + as_double(moe.experts_per_token) * expert + shared};
}

/// DSA's lightning indexer in one layer (DeepSeek-V3.2; see the top of the file).
double sparse_attention_indexer_parameters(const ModelSpec& model) {
  if (!model.has_sparse_attention()) return 0.0;
  const double h = as_double(model.hidden_size);
  const double heads = as_double(model.index_n_heads);
  const double dim = as_double(model.index_head_dim);
  return as_double(model.q_lora_rank) * heads * dim + h * dim + 2.0 * dim + h * heads;
}

/// MLA's projections (see the top of the file).
double latent_attention_parameters(const ModelSpec& model) {
  const double h = as_double(model.hidden_size);
  const double heads = as_double(model.num_attention_heads);
  const double qk_head = as_double(model.qk_nope_head_dim + model.qk_rope_head_dim);
  const double q_lora = as_double(model.q_lora_rank);
  const double query = model.q_lora_rank > 0 ? h * q_lora + q_lora + q_lora * heads * qk_head
                                             : h * heads * qk_head;
  const double kv_lora = as_double(model.kv_lora_rank);
  const double key_value = h * (kv_lora + as_double(model.qk_rope_head_dim)) + kv_lora +
                           kv_lora * heads * as_double(model.qk_nope_head_dim + model.v_head_dim);
  const double output = heads * as_double(model.v_head_dim) * h;
  return query + key_value + output + sparse_attention_indexer_parameters(model);
}

/// A linear-attention layer's mixer (see the top of the file).
double linear_attention_parameters(const ModelSpec& model, const LinearAttention& mixer) {
  const double h = as_double(model.hidden_size);
  const double key = as_double(mixer.key_heads) * as_double(mixer.key_head_dim);
  const double value = as_double(mixer.value_heads) * as_double(mixer.value_head_dim);
  const double heads = as_double(mixer.value_heads);
  const double kernel = as_double(mixer.conv_kernel);
  if (mixer.mixer == LinearMixer::mamba2) {
    return h * (2.0 * value + 2.0 * key + heads) + mixer.conv_channels() * (kernel + 1.0) + 3.0 * heads + value +
           value * h;
  }
  return h * (2.0 * key + 2.0 * value) + h * 2.0 * heads + mixer.conv_channels() * kernel + 2.0 * heads +
         as_double(mixer.value_head_dim) + value * h;
}

/// q/k/v/o projections plus q/k/v biases when the model has them (q_proj twice as wide with
/// an output gate).
double attention_parameters(const ModelSpec& model) {
  if (model.is_mla()) return latent_attention_parameters(model);
  const double h = as_double(model.hidden_size);
  const double q = as_double(query_width(model));
  const double kv = as_double(kv_width(model));
  double params = (model.attention_output_gate ? 3.0 : 2.0) * h * q + 2.0 * h * kv;
  if (model.attention_bias) params += q + 2.0 * kv;
  return params;
}

/// Qwen2.5-Math-PRM-7B's score head: Linear(h, h) + ReLU + Linear(h, outputs), with biases.
double reward_head_parameters(const ModelSpec& model) {
  const double h = as_double(model.hidden_size);
  const double outputs = as_double(model.reward_head_outputs);
  return h * h + h + h * outputs + outputs;
}

}  // namespace

double routed_expert_parameters(const ModelSpec& model) {
  if (!model.is_moe()) return 0.0;
  return as_double(moe_layer_count(model)) * as_double(model.num_experts) *
         mlp_parameters(model, expert_width(model));
}

double latent_attention_replicated_parameters(const ModelSpec& model) {
  if (!model.is_mla()) return 0.0;
  const double h = as_double(model.hidden_size);
  const double q_lora = as_double(model.q_lora_rank);
  const double kv_lora = as_double(model.kv_lora_rank);
  const double query_down = model.q_lora_rank > 0 ? h * q_lora + q_lora : 0.0;
  // vLLM's DSA Indexer builds wq_b, wk and weights_proj as ReplicatedLinear too.
  return query_down + h * (kv_lora + as_double(model.qk_rope_head_dim)) + kv_lora +
         sparse_attention_indexer_parameters(model);
}

ParameterCounts count_parameters(const ModelSpec& model) {
  check_model_spec(model);
  const double h = as_double(model.hidden_size);

  const double qk_norms = model.qk_norm ? 2.0 * as_double(resolved_head_dim(model)) : 0.0;
  const double sinks = model.attention_sinks ? as_double(model.num_attention_heads) : 0.0;
  const double norms_per_layer = 2.0 * h + qk_norms + sinks;
  const double attention = attention_parameters(model);
  // Every layer group's layers: attention kinds differ only in which keys they attend, so
  // the parameters of a layer are its attention, norms and FFN kind; a linear-attention
  // layer has its recurrent mixer and the two layer norms instead.
  double layers_total = 0.0;
  double layers_active = 0.0;
  const Architecture architecture(model);
  for (const LayerGroup& group : architecture.groups()) {
    const FfnParameters ffn = ffn_parameters(model, group.ffn);
    const auto* linear = std::get_if<LinearAttention>(&group.attention);
    double mixer = 0.0;
    if (model.ffn_only_layers > 0) {
      // Nemotron-H's blocks: one norm each, and a mixer or an MLP.
      if (linear != nullptr) {
        mixer = linear_attention_parameters(model, *linear) + h;
      } else if (!std::holds_alternative<NoMixer>(group.attention)) {
        mixer = attention + norms_per_layer - h;
      } else {
        mixer = h;
      }
    } else {
      mixer = linear != nullptr ? linear_attention_parameters(model, *linear) + 2.0 * h : attention + norms_per_layer;
    }
    layers_total += as_double(group.layers) * (mixer + ffn.total);
    layers_active += as_double(group.layers) * (mixer + ffn.active);
  }
  const double final_norm = h;

  const double input_embedding = as_double(model.vocab_size) * h;
  ParameterCounts counts;
  double head_in_non_embedding = 0.0;
  if (model.head == HeadKind::language_model) {
    counts.lm_head = input_embedding;  // vocab x hidden, shared or not
    counts.embedding = model.tie_word_embeddings ? input_embedding : 2.0 * input_embedding;
  } else {
    counts.lm_head = reward_head_parameters(model);
    counts.embedding = input_embedding;
    head_in_non_embedding = counts.lm_head;
  }
  counts.non_embedding = layers_total + final_norm + head_in_non_embedding;
  counts.active_non_embedding = layers_active + final_norm + head_in_non_embedding;
  counts.total = counts.embedding + counts.non_embedding;
  counts.active = counts.embedding + counts.active_non_embedding;
  counts.per_layer_active = layers_active / as_double(model.num_layers);
  return counts;
}

}  // namespace llmsim::core
