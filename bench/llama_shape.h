// The model shape the micro benchmarks price and schedule: Llama-3.1-8B
// (meta-llama/Llama-3.1-8B config.json), full attention.
#pragma once

#include "core/model_spec.h"

namespace llmsim::bench {

inline core::ModelSpec llama_3_1_8b() {
  core::ModelSpec m;
  m.id = "llama-3.1-8b";
  m.num_layers = 32;
  m.hidden_size = 4096;
  m.num_attention_heads = 32;
  m.num_kv_heads = 8;
  m.head_dim = 128;
  m.intermediate_size = 14336;
  m.vocab_size = 128256;
  m.max_position_embeddings = 131072;
  return m;
}

}  // namespace llmsim::bench
