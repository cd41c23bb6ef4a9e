#include "hw/iteration_work_model.h"

#include <doctest/doctest.h>

#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::expected_distinct_experts;
using llmsim::hw::Operator;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

// Mixtral-8x7B, one layer: attention 2 x 4,096^2 + 2 x 4,096 x 1,024 = 41,943,040, two
// norms 8,192, router 4,096 x 8 = 32,768: 41,984,000 always read; one expert
// 3 x 4,096 x 14,336 = 176,160,768. A token's activations per layer: 4h + 2q + 2kv +
// 3 x (2 experts x 14,336) = 16,384 + 8,192 + 2,048 + 86,016 = 112,640 elements.
constexpr double kSharedParams = 41'984'000.0;
constexpr double kExpertParams = 176'160'768.0;
constexpr double kActivationBytesPerToken = 2.0 * 32.0 * 112'640.0;  // 7,208,960

}  // namespace

TEST_CASE("tokens touch the expected number of distinct experts") {
  CHECK(expected_distinct_experts(8.0, 2.0, 0.0) == 0.0);
  CHECK(expected_distinct_experts(8.0, 2.0, 1.0) == doctest::Approx(2.0));
  // 8 x (1 - (6/8)^2) = 8 x 0.4375
  CHECK(expected_distinct_experts(8.0, 2.0, 2.0) == doctest::Approx(3.5));
  CHECK(expected_distinct_experts(8.0, 2.0, 1000.0) == doctest::Approx(8.0));
}

TEST_CASE("a lone Mixtral decode step reads two experts per layer") {
  const StepTimeModel model(t::mixtral_8x7b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const auto work = model.work(t::decode_batch(1, 127));
  // 32 layers x 2 bytes x (41,984,000 + 2 x 176,160,768) = 25,235,554,304
  CHECK(work_of(work, Operator::gemm).hbm_bytes ==
        doctest::Approx(64.0 * (kSharedParams + 2.0 * kExpertParams) + kActivationBytesPerToken)
            .epsilon(1e-12));
  // FLOPs: the shared part follows the active parameters; each of the two experts runs one
  // whole 16-row M tile of the grouped GEMM for its one row (hw/grouped_gemm.h), so the
  // experts' FLOPs are 32 rows' worth: 2 x 32 x (41,984,000 + 32 x 176,160,768).
  CHECK(work_of(work, Operator::gemm).flops == doctest::Approx(64.0 * (kSharedParams + 32.0 * kExpertParams)));
}

TEST_CASE("a large Mixtral batch reads all eight experts per layer") {
  const StepTimeModel model(t::mixtral_8x7b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const auto work = model.work(t::prefill_batch(4096, 0));
  // (6/8)^4096 is 0 in double: all 8 experts, 92,881,289,216 bytes, plus 4,096 tokens of
  // activations.
  CHECK(work_of(work, Operator::gemm).hbm_bytes == doctest::Approx(64.0 * (kSharedParams + 8.0 * kExpertParams) +
                                               4096.0 * kActivationBytesPerToken)
                                   .epsilon(1e-12));
}

TEST_CASE("a prefill chunk reads the KV of its cached prefix") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const auto work = model.work(t::prefill_batch(512, 4096));
  // Pairs 512 x 4,096 + 512 x 513 / 2 = 2,228,480; FLOPs 4 x 32 x 4,096 per pair.
  CHECK(work_of(work, Operator::attention_prefill).flops == doctest::Approx(4.0 * 32.0 * 4096.0 * 2'228'480.0));
  // KV of 4,608 tokens x 131,072 bytes + Q in and O out 2 x 2 bytes x 32 x 4,096 x 512.
  CHECK(work_of(work, Operator::attention_prefill).hbm_bytes == doctest::Approx(603'979'776.0 + 268'435'456.0));
  CHECK(work_of(work, Operator::attention_decode).hbm_bytes == 0.0);
}

TEST_CASE("a reward model's head is priced as its score head, not the vocabulary") {
  llmsim::core::ModelSpec prm = t::llama_3_1_8b();
  prm.head = llmsim::core::HeadKind::reward;
  prm.reward_head_outputs = 2;
  const StepTimeModel model(prm, t::h100_sxm(), t::bf16(), t::tp(1));
  const auto work = model.work(t::decode_batch(4, 100));
  // Linear(4,096, 4,096) + Linear(4,096, 2) with biases = 16,789,506 parameters.
  CHECK(work_of(work, Operator::lm_head).flops == doctest::Approx(2.0 * 4.0 * 16'789'506.0));
  // Weights 2 bytes each, plus 4 rows x 2 bytes x (4,096 in + 2 scores out).
  CHECK(work_of(work, Operator::lm_head).hbm_bytes == doctest::Approx(2.0 * 16'789'506.0 + 4.0 * 2.0 * 4098.0));
}

TEST_CASE("a step that samples nothing reads no LM head") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  auto batch = t::prefill_batch(2048, 0);
  batch.sampled_seqs = 0;  // a prompt chunk that does not finish its prompt
  const auto work = model.work(batch);
  CHECK(work_of(work, Operator::lm_head).flops == 0.0);
  CHECK(work_of(work, Operator::lm_head).hbm_bytes == 0.0);
}
