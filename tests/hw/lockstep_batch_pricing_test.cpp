// BatchShape::lockstep_tokens / lockstep_extends (attention-DP SUM_LEN steps priced one rank at
// a time, sim/cluster/dp_group.h): the batch is one rank's batch on every rank, its attention
// that rank's own, its MoE layers those of the step's tokens over all ranks.
#include <doctest/doctest.h>

#include <cstdint>

#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "tests/core/reference_models.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::Operator;
using llmsim::hw::Parallelism;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
namespace t = llmsim::hw::test;

/// DeepSeek-V3 in fp8 on 8 H100s as DEP8 (attention DP 8, expert parallelism 8).
StepTimeModel dep8() {
  Parallelism dep;
  dep.tensor_parallel = 1;
  dep.attention_data_parallel = 8;
  dep.expert_parallel = 8;
  return {llmsim::core::testing::deepseek_v3(), t::h100_sxm(), t::fp8_weights(), dep};
}

BatchShape lockstep(BatchShape b, std::int64_t step_tokens, bool extends) {
  b.lockstep_tokens = step_tokens;
  b.lockstep_extends = extends;
  return b;
}

}  // namespace

TEST_CASE("balanced ranks: a rank's lockstep batch prices exactly as the replica's batch") {
  // Every rank runs one 1024-token prompt: the step's tokens are 8 x 1024, what the padded
  // batch routes anyway, so both ways give the same bits.
  const StepTimeModel model = dep8();
  const BatchShape every_rank = t::prompt_batch(8, 1024);
  const StepCost plain = model.price(every_rank);
  const StepCost rank = model.price(lockstep(every_rank, 8 * 1024, true));
  CHECK(rank.time_s == plain.time_s);
  CHECK(rank.flops == plain.flops);
  CHECK(rank.hbm_bytes == plain.hbm_bytes);
}

TEST_CASE("a prompt on one rank: its own attention, the experts and all-to-all of the step's tokens only") {
  // Rank 0 runs a 4096-token prompt, the other seven nothing: priced as if all ran it, but
  // the MoE layers route 4096 tokens, not 8 x 4096.
  const StepTimeModel model = dep8();
  const BatchShape padded = t::prompt_batch(8, 4096);
  const StepCost all_ranks = model.price(padded);
  const StepCost one_rank = model.price(lockstep(padded, 4096, true));
  CHECK(one_rank.time_s_of(Operator::attention_prefill) == all_ranks.time_s_of(Operator::attention_prefill));
  CHECK(one_rank.time_s_of(Operator::all_to_all) > 0.0);
  CHECK(one_rank.time_s_of(Operator::all_to_all) < all_ranks.time_s_of(Operator::all_to_all));
  CHECK(one_rank.time_s < all_ranks.time_s);
  // The lone rank's batch priced as the replica's (its 4096 tokens split over 8 ranks) is
  // the old mean-share price, cheaper than the rank's own attention allows.
  CHECK(model.price(t::prefill_batch(4096, 0)).time_s < one_rank.time_s);
}

TEST_CASE("a decode-only rank in a step where another rank extends uses the normal all-to-all kernels") {
  // SGLang ORs is_extend_in_batch over the DP ranks: DeepEP's normal kernels send a token
  // once per GPU holding its experts (fewer messages than the low-latency kernels' one per
  // expert), so the same decode batch moves fewer bytes when the step extends.
  const StepTimeModel model = dep8();
  const BatchShape padded = t::decode_batch(8 * 64, 2000);
  const StepCost decode_step = model.price(lockstep(padded, 8 * 64 + 1000, false));
  const StepCost extend_step = model.price(lockstep(padded, 8 * 64 + 1000, true));
  CHECK(extend_step.time_s_of(Operator::all_to_all) < decode_step.time_s_of(Operator::all_to_all));
  CHECK(extend_step.time_s_of(Operator::attention_decode) == decode_step.time_s_of(Operator::attention_decode));
}
