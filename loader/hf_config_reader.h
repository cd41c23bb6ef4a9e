// Reading a Hugging Face transformers config.json into a ModelSpec.
#pragma once

#include <string>

#include "core/model_spec.h"

namespace llmsim::loader {

/// Supports the Llama family of decoder-only architectures (model_type llama, mistral,
/// mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe). Missing optional fields take the
/// transformers defaults (num_key_value_heads = num_attention_heads, head_dim =
/// hidden_size / num_attention_heads, tie_word_embeddings = false). nominal_params, which
/// config.json does not carry, is set to the total parameter count.
/// Errors name the file, the line of the offending key (or 1 for a missing one) and the key.
/// Refused as well (issue 22): a key twice in one object, nesting deeper than 64 levels, a
/// quantization_config (the weights' dtype comes from the scenario or --weights-dtype), and
/// an unsupported model_type (the message lists the supported ones). Python's bare
/// Gemma 4 (gemma4, gemma4_text) is refused naming the first feature llmsim cannot represent
/// (global_head_dim, ...); the Qwen3.5 family (qwen3_5, qwen3_5_moe and their _text configs)
/// is read on Qwen3-Next's path. Python's bare
/// Infinity, -Infinity and NaN literals are accepted in fields llmsim does not read (Mamba-2
/// configs write "time_step_limit": [0.0, Infinity]) and refused, by name, in a field it
/// reads: none of those (sizes, counts, flags, model_type) has a meaning for infinity.
core::ModelSpec read_hf_config(const std::string& path);

}  // namespace llmsim::loader
