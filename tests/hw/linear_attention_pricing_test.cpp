// Qwen3-Next's attention work items (issue 23): the 12 attention layers' keys grow with the
// context, the 36 Gated DeltaNet layers' recurrence and state traffic do not.
#include <doctest/doctest.h>

#include "core/architecture.h"
#include "core/input_error.h"
#include "core/parameter_counts.h"
#include "hw/iteration_work_model.h"
#include "tests/core/reference_models.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::IterationWorkModel;
using llmsim::hw::Operator;
namespace t = llmsim::hw::test;
namespace core = llmsim::core;

const llmsim::hw::WorkItem& item(const llmsim::hw::WorkItemList& list, Operator op) {
  for (const auto& w : list) {
    if (w.op == op) return w;
  }
  FAIL("no item for the operator");
  return *list.begin();
}

IterationWorkModel qwen3_next(int tensor_parallel) {
  const core::ModelSpec m = core::testing::qwen3_next_80b_a3b();
  return IterationWorkModel(m, core::count_parameters(m), t::bf16(), t::tp(tensor_parallel));
}

/// `seqs` sequences decoding one token at position `context`, keys from the Architecture.
BatchShape decode_at(std::int64_t seqs, std::int64_t context) {
  const core::Architecture a(core::testing::qwen3_next_80b_a3b());
  BatchShape b;
  b.decode_seqs = seqs;
  for (std::int64_t i = 0; i < seqs; ++i) b.decode_kv_tokens += a.mean_decode_keys(context);
  b.sampled_seqs = seqs;
  return b;
}

// Per GPU at TP 1, bf16:
//   attention FLOPs per key      4 x 48 layers x 16 heads x 256     = 3,145,728
//   KV bytes per key (all layers) 48 x 2 x 2 x 256 x 2 B            =    98,304
//   DeltaNet FLOPs per token     36 x (7 x 32 x 128 x 128 + 2 x 4 x 8,192) = 134,479,872
//   state bytes per sequence     36 x (524,288 + 24,576) x 2 B     = 39,518,208
constexpr double kFlopsPerKey = 4.0 * 48.0 * 16.0 * 256.0;
constexpr double kKvBytesPerKey = 48.0 * 2.0 * 2.0 * 256.0 * 2.0;
constexpr double kLinearFlops = 36.0 * (7.0 * 32.0 * 128.0 * 128.0 + 2.0 * 4.0 * 8192.0);
constexpr double kStateBytes = 36.0 * (524288.0 + 24576.0) * 2.0;

}  // namespace

TEST_CASE("a Qwen3-Next decode step at 32k: keys of 12 layers, the DeltaNet state read and written once") {
  const IterationWorkModel model = qwen3_next(1);
  const BatchShape at32k = decode_at(8, 32767);
  // 8 sequences x 32,768 keys in 12 of 48 layers: a mean of 8,192 per sequence.
  CHECK(at32k.decode_kv_tokens == 8.0 * 8192.0);
  const auto items32k = model.items(at32k);
  const auto& decode = item(items32k, Operator::attention_decode);
  CHECK(decode.flops == kFlopsPerKey * 8.0 * 8192.0 + kLinearFlops * 8.0);
  CHECK(decode.hbm_bytes == kKvBytesPerKey * 8.0 * 8192.0 + 2.0 * kStateBytes * 8.0);
  // At 64k the attention layers read twice the keys; the DeltaNet part is the same.
  const auto items64k = model.items(decode_at(8, 65535));
  const auto& at64k = item(items64k, Operator::attention_decode);
  CHECK(at64k.flops - decode.flops == doctest::Approx(kFlopsPerKey * 8.0 * 8192.0));
  CHECK(at64k.hbm_bytes - decode.hbm_bytes == doctest::Approx(kKvBytesPerKey * 8.0 * 8192.0));
}

TEST_CASE("a Qwen3-Next prefill chunk adds the recurrence per token and the state per sequence") {
  const IterationWorkModel model = qwen3_next(1);
  const core::Architecture a(core::testing::qwen3_next_80b_a3b());
  BatchShape b;
  b.prefill_seqs = 2;
  b.prefill_tokens = 2 * 4096;
  b.prefill_attention_pairs = 2.0 * a.mean_attention_pairs(4096, 0);
  b.prefill_kv_tokens = 2.0 * a.mean_prefill_kv_tokens(4096, 0);
  b.sampled_seqs = 2;
  const auto items = model.items(b);
  const auto& prefill = item(items, Operator::attention_prefill);
  CHECK(prefill.flops == kFlopsPerKey * b.prefill_attention_pairs + kLinearFlops * 8192.0);
  // KV written (12 layers' share of the mean), Q and O of 16 x 256 per layer, the states.
  CHECK(prefill.hbm_bytes == doctest::Approx(kKvBytesPerKey * 2.0 * 1024.0 + 2.0 * 2.0 * 48.0 * 4096.0 * 8192.0 +
                                             2.0 * kStateBytes * 2.0));
}

TEST_CASE("Qwen3-Next under TP 2: the state and the recurrence split with the DeltaNet heads") {
  const IterationWorkModel one = qwen3_next(1);
  const IterationWorkModel two = qwen3_next(2);
  const BatchShape b = decode_at(4, 1000);
  const auto items1 = one.items(b);
  const auto items2 = two.items(b);
  const auto& d1 = item(items1, Operator::attention_decode);
  const auto& d2 = item(items2, Operator::attention_decode);
  CHECK(d2.flops == doctest::Approx(d1.flops / 2.0));
  CHECK(d2.hbm_bytes == doctest::Approx(d1.hbm_bytes / 2.0));  // 1 of 2 KV heads, half the state
  // vLLM shards the DeltaNet by key heads: TP 8 cannot split 4 of them.
  core::ModelSpec four_key_heads = core::testing::qwen3_next_80b_a3b();
  four_key_heads.linear_num_key_heads = 4;
  CHECK_NOTHROW(IterationWorkModel(four_key_heads, core::count_parameters(four_key_heads), t::bf16(), t::tp(4)));
  CHECK_THROWS_AS(IterationWorkModel(four_key_heads, core::count_parameters(four_key_heads), t::bf16(), t::tp(8)),
                  core::InputError);
}
