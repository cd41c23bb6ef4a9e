// DeepSeek-V3's work items on one GPU of a TP8 group (issue 23): MLA attention expanded in
// prefill and absorbed in decode, the whole latent read on every GPU, the replicated down
// projections, and routed-expert weights read in the 58 MoE layers only.
#include <doctest/doctest.h>

#include <cmath>

#include "core/parameter_counts.h"
#include "hw/iteration_work_model.h"
#include "tests/core/reference_models.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

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

IterationWorkModel deepseek_tp8() {
  const core::ModelSpec m = core::testing::deepseek_v3();
  return IterationWorkModel(m, core::count_parameters(m), t::fp8_weights(), t::tp(8));
}

// Activations per token and layer on one of 8 GPUs (bf16, 2 bytes): 4h = 28,672; MLA
// projections 2 x 1,536 + 576 + 512 + (128 x 192 + 128 x 256 + 128 x 128) / 8 = 13,376;
// MLP 3 x I / 8 with I = (3 x 18,432 + 58 x 9 x 2,048) / 61 = 18,432: 6,912. Sum 48,960.
constexpr double kGemmActivationBytesPerToken = 2.0 * 61.0 * 48960.0;
// Weights one GPU reads for one token (fp8, 1 byte): the 61 layers' active parameters
// 35,698,917,376 (37,552,282,624 less the untied embeddings 2 x 129,280 x 7,168 and the
// final norm) less the replicated MLA down projections 61 x 15,140,864, split 8 ways, plus
// the replicated part whole: 4,346,915,584 + 923,592,704.
constexpr double kOneTokenWeightBytes = 5'270'508'288.0;
constexpr double kRoutedExpertBytesPerGpu = 3.0 * 7168.0 * 2048.0 / 8.0;  // 5,505,024

}  // namespace

TEST_CASE("DeepSeek-V3 decode attention is absorbed and reads the whole latent on each GPU") {
  const auto list = deepseek_tp8().items(t::decode_batch(16, 999));
  const auto& decode = item(list, Operator::attention_decode);
  // 16 sequences x 1,000 keys; per key 61 layers x (2 x 128 x 576 + 2 x 128 x 512) / 8.
  CHECK(decode.flops == 16000.0 * 61.0 * 278528.0 / 8.0);
  // 61 x 576 elements x 2 bytes (bf16 KV) per key, not divided by the 8 GPUs.
  CHECK(decode.hbm_bytes == 16000.0 * 70272.0);
}

TEST_CASE("DeepSeek-V3 prefill attention is expanded and up-projects the cached latents") {
  const auto list = deepseek_tp8().items(t::prefill_batch(512, 4096));
  const auto& prefill = item(list, Operator::attention_prefill);
  const double pairs = 512.0 * 4096.0 + 512.0 * 513.0 / 2.0;
  CHECK(prefill.flops == doctest::Approx(61.0 * 81920.0 / 8.0 * pairs + 61.0 * 33554432.0 / 8.0 * 4096.0)
                             .epsilon(1e-15));
  // KV of 4,608 tokens x 70,272 bytes + Q in (128 x 192) and O out (128 x 128), / 8, 2 bytes.
  CHECK(prefill.hbm_bytes ==
        doctest::Approx(4608.0 * 70272.0 + 2.0 * 61.0 * (128.0 * 192.0 + 128.0 * 128.0) / 8.0 * 512.0)
            .epsilon(1e-15));
}

TEST_CASE("DeepSeek-V3 reads the expected distinct experts of the 58 MoE layers only") {
  const IterationWorkModel model = deepseek_tp8();
  const auto one = item(model.items(t::decode_batch(1, 100)), Operator::gemm);
  // One token: 8 routed experts per MoE layer, exactly the active parameters.
  CHECK(one.hbm_bytes == doctest::Approx(kOneTokenWeightBytes + kGemmActivationBytesPerToken).epsilon(1e-14));
  // 64 tokens: 256 (1 - (1 - 8/256)^64) = 222.4 distinct experts in each of 58 layers.
  const double distinct = 256.0 * (1.0 - std::pow(1.0 - 8.0 / 256.0, 64.0));
  CHECK(distinct == doctest::Approx(222.44).epsilon(1e-4));
  const auto batch = item(model.items(t::decode_batch(64, 100)), Operator::gemm);
  CHECK(batch.hbm_bytes == doctest::Approx(kOneTokenWeightBytes + 58.0 * (distinct - 8.0) * kRoutedExpertBytesPerGpu +
                                           64.0 * kGemmActivationBytesPerToken)
                               .epsilon(1e-14));
}

TEST_CASE("expected distinct experts at DeepSeek-V3's 256 experts, top-8: k at one token, E at many") {
  using llmsim::hw::expected_distinct_experts;
  CHECK(expected_distinct_experts(256.0, 8.0, 1.0) == doctest::Approx(8.0).epsilon(1e-12));
  // Two tokens: 256 (1 - (248/256)^2) = 15.75, one expected overlap of 8 x 8 / 256 = 0.25.
  CHECK(expected_distinct_experts(256.0, 8.0, 2.0) == doctest::Approx(15.75).epsilon(1e-12));
  CHECK(expected_distinct_experts(256.0, 8.0, 1e6) == 256.0);
  // Never more than E, never fewer than k, and never shrinking as tokens grow.
  double previous = 0.0;
  for (double tokens = 1.0; tokens <= 4096.0; tokens *= 2.0) {
    const double distinct = expected_distinct_experts(256.0, 8.0, tokens);
    CHECK(distinct >= 8.0 - 1e-9);
    CHECK(distinct <= 256.0);
    CHECK(distinct >= previous);  // equal only once both round to E
    previous = distinct;
  }
}

TEST_CASE("gpt-oss-120b reads its experts at MXFP4's 0.53125 bytes and the rest in bf16") {
  const core::ModelSpec m = core::testing::gpt_oss_120b();
  const IterationWorkModel model(m, core::count_parameters(m), t::bf16(), t::tp(1));
  // Per layer: attention and its biases, sinks, norms and router, read whole in bf16:
  // 26,542,080 + 5,120 + 64 + 5,760 + 368,640 = 26,921,664 weights, 36 layers, 2 bytes.
  const double fixed = 2.0 * 36.0 * 26'921'664.0;
  const double expert_bytes = 36.0 * 24'883'200.0 * 0.53125;  // one expert in every layer
  // Activations per token: 2 bytes x 36 x (4 x 2,880 + 2 x 4,096 + 2 x 512 + 3 x 4 x 2,880).
  const double activations = 2.0 * 36.0 * 55296.0;
  const auto one = item(model.items(t::decode_batch(1, 100)), Operator::gemm);
  CHECK(one.hbm_bytes == doctest::Approx(fixed + 4.0 * expert_bytes + activations).epsilon(1e-14));
  const auto many = item(model.items(t::decode_batch(256, 100)), Operator::gemm);
  const double distinct = 128.0 * (1.0 - std::pow(1.0 - 4.0 / 128.0, 256.0));
  CHECK(many.hbm_bytes == doctest::Approx(fixed + distinct * expert_bytes + 256.0 * activations).epsilon(1e-14));
}
