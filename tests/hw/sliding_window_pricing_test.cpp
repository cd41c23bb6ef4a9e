// A decode step of a sliding-window model reads and attends at most the window (issue 20).
#include <doctest/doctest.h>

#include "core/architecture.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace t = llmsim::hw::test;
using llmsim::core::Architecture;
using llmsim::hw::BatchShape;
using llmsim::hw::Operator;
using llmsim::hw::StepTimeModel;

namespace {

/// Mistral-7B-v0.1's shape (Llama-3.1-8B's layers and heads, vocab 32000) with or without
/// its 4096-token window on all 32 layers.
llmsim::core::ModelSpec mistral_7b_v01(bool windowed) {
  llmsim::core::ModelSpec m = t::llama_3_1_8b();
  m.id = "mistral-7b-v0.1";
  m.vocab_size = 32000;
  m.max_position_embeddings = 32768;
  m.sliding_window = windowed ? 4096 : 0;
  m.sliding_window_layers = windowed ? 32 : 0;
  return m;
}

/// `seqs` sequences each decoding one token at `context` cached tokens, as the replica
/// builds it: keys attended from the Architecture.
BatchShape decode_at(const Architecture& architecture, std::int64_t seqs, std::int64_t context) {
  BatchShape b;
  b.decode_seqs = seqs;
  for (std::int64_t i = 0; i < seqs; ++i) b.decode_kv_tokens += architecture.mean_decode_keys(context);
  b.sampled_seqs = seqs;
  return b;
}

}  // namespace

TEST_CASE("a Mistral-7B-v0.1 decode step at 32k context reads the window's KV and costs less") {
  const auto windowed_model = mistral_7b_v01(true);
  const auto full_model = mistral_7b_v01(false);
  const StepTimeModel windowed(windowed_model, t::h100_sxm(), t::bf16(), t::tp(1));
  const StepTimeModel full(full_model, t::h100_sxm(), t::bf16(), t::tp(1));
  const BatchShape w = decode_at(Architecture(windowed_model), 8, 32767);
  const BatchShape f = decode_at(Architecture(full_model), 8, 32767);
  CHECK(w.decode_kv_tokens == 8.0 * 4096.0);
  CHECK(f.decode_kv_tokens == 8.0 * 32768.0);
  // KV read: 8 sequences x 4096 keys x 131,072 bytes (2 x 32 layers x 8 heads x 128 x 2 B).
  CHECK(work_of(windowed.work(w), Operator::attention_decode).hbm_bytes == 8.0 * 4096.0 * 131072.0);
  CHECK(work_of(full.work(f), Operator::attention_decode).hbm_bytes == 8.0 * 32768.0 * 131072.0);
  // FLOPs: 4 x 32 layers x 4096 (query width) per key.
  CHECK(work_of(windowed.work(w), Operator::attention_decode).flops == 8.0 * 4096.0 * 4.0 * 32.0 * 4096.0);
  // Everything but attention is the same work.
  CHECK(work_of(windowed.work(w), Operator::gemm).hbm_bytes == work_of(full.work(f), Operator::gemm).hbm_bytes);
  CHECK(windowed.price(w).time_s < full.price(f).time_s);
  // Below the window the two models are the same step.
  CHECK(windowed.price(decode_at(Architecture(windowed_model), 8, 2000)).time_s ==
        full.price(decode_at(Architecture(full_model), 8, 2000)).time_s);
}
