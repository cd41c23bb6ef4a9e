// Two-batch overlap on DeepSeek-V3 (issue 24): the physical bounds of an overlapped step,
// the gain growing with the tokens per device (the LMSYS ablation's shape: a loss at small
// batches), DeepEP's normal kernels crossing scale-out once per domain, and the schedule
// coming from the scenario's engine preset.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/batch_shape.h"
#include "hw/overlap_schedule.h"
#include "hw/step_time_model.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "loader/scenario_loader.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::BatchShape;
using llmsim::hw::Operator;
using llmsim::hw::OverlapSchedule;
using llmsim::hw::Parallelism;
using llmsim::hw::Precision;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;

// One-token decodes and whole prompts: tests/hw/step_time_fixtures.h.
using llmsim::hw::test::decode_batch;
using llmsim::hw::test::prompt_batch;

/// Half of `b`'s sequences: the micro-batch each half of an overlapped step runs.
BatchShape half_of(const BatchShape& b) {
  BatchShape h = b;
  const double part = 0.5;
  h.prefill_seqs = b.prefill_seqs / 2;
  h.prefill_tokens = b.prefill_tokens / 2;
  h.prefill_attention_pairs = b.prefill_attention_pairs * part;
  h.prefill_kv_tokens = b.prefill_kv_tokens * part;
  h.decode_seqs = b.decode_seqs / 2;
  h.decode_kv_tokens = b.decode_kv_tokens * part;
  h.sampled_seqs = b.sampled_seqs / 2;
  return h;
}

Precision fp8() { return Precision{.weights = DType::fp8, .kv_cache = DType::bf16, .activations = DType::bf16}; }

Parallelism dep(int ranks, bool overlap, OverlapSchedule schedule = OverlapSchedule::sglang_tbo) {
  return Parallelism{.tensor_parallel = 1,
                     .attention_data_parallel = ranks,
                     .expert_parallel = ranks,
                     .expert_balancer = llmsim::hw::ExpertBalancer::eplb,
                     .two_batch_overlap = overlap,
                     .overlap_schedule = schedule};
}

/// DeepSeek-V3 with EPLB's 256 + 32 redundant expert slots (the LMSYS and vLLM deployments),
/// so that 72 GPUs divide them.
llmsim::core::ModelSpec deepseek_288() {
  auto model = llmsim::loader::load_model("deepseek-v3");
  model.num_experts = 288;
  return model;
}

double compute_s(const StepCost& cost) { return cost.time_s - cost.overhead_s - cost.time_s_of(Operator::all_to_all); }

}  // namespace

TEST_CASE("an overlapped step is at least its compute and its communication, at most the halves run in turn") {
  const auto model = deepseek_288();
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  for (const OverlapSchedule schedule : {OverlapSchedule::sglang_tbo, OverlapSchedule::vllm_dbo}) {
    for (const int ranks : {8, 32, 72}) {
      const StepTimeModel plain(model, h100, fp8(), dep(ranks, false));
      const StepTimeModel two(model, h100, fp8(), dep(ranks, true, schedule));
      std::vector<BatchShape> batches;
      for (const std::int64_t per_gpu : {4, 32, 128, 256}) batches.push_back(decode_batch(per_gpu * ranks, 2000));
      batches.push_back(prompt_batch(2 * ranks, 4096));
      for (const BatchShape& batch : batches) {
        const StepCost overlapped = two.price(batch);
        const double per_rank = static_cast<double>(batch.total_new_tokens()) / ranks;
        if (!llmsim::hw::engine_splits_step(schedule, batch.prefill_tokens > 0, per_rank)) {
          // vLLM's DBO at or below its thresholds (4 and 32 tokens per rank): one batch.
          CHECK(schedule == OverlapSchedule::vllm_dbo);
          CHECK(overlapped.time_s == plain.price(batch).time_s);
          continue;
        }
        const StepCost half = plain.price(half_of(batch));
        // Each half's compute and all-to-all run once per half, on one stream and one link.
        CHECK(overlapped.time_s >= 2.0 * compute_s(half) * (1.0 - 1e-9));
        CHECK(overlapped.time_s >= 2.0 * half.time_s_of(Operator::all_to_all) * (1.0 - 1e-9));
        // Never slower than the two halves one after the other (the split's extra weight
        // reads and calls are all that overlap can add to the whole batch's step).
        CHECK(overlapped.time_s <= 2.0 * half.time_s * (1.0 + 1e-9));
        // Items (the all-to-all at its exposed part) and overhead still sum to the step.
        double items_s = 0.0;
        for (const auto& item : overlapped.items) items_s += item.time_s;
        CHECK(items_s + overlapped.overhead_s == doctest::Approx(overlapped.time_s));
        CHECK(overlapped.time_s_of(Operator::all_to_all) >= 0.0);
      }
    }
  }
}

TEST_CASE("overlap's gain grows with the tokens per device: it loses at 16 and wins at 256 (LMSYS EP72 decode)") {
  const auto model = deepseek_288();
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  const StepTimeModel plain(model, h100, fp8(), dep(72, false));
  const StepTimeModel two(model, h100, fp8(), dep(72, true));
  double previous = 0.0;
  for (const std::int64_t per_gpu : {16, 32, 64, 128, 256}) {
    const BatchShape batch = decode_batch(per_gpu * 72, 2000);
    const double gain = plain.price(batch).time_s / two.price(batch).time_s;
    CHECK(gain > previous);
    previous = gain;
  }
  CHECK(plain.price(decode_batch(16 * 72, 2000)).time_s < two.price(decode_batch(16 * 72, 2000)).time_s);
  CHECK(plain.price(decode_batch(256 * 72, 2000)).time_s > two.price(decode_batch(256 * 72, 2000)).time_s);
  // Prefill at EP32 (the LMSYS prefill deployment): the gain grows from 2K to 16K tokens per GPU.
  const StepTimeModel plain32(model, h100, fp8(), dep(32, false));
  const StepTimeModel two32(model, h100, fp8(), dep(32, true));
  previous = 0.0;
  for (const std::int64_t prompts : {1, 2, 4}) {
    const BatchShape batch = prompt_batch(prompts * 32, 4096);
    const double gain = plain32.price(batch).time_s / two32.price(batch).time_s;
    CHECK(gain >= previous * (1.0 - 1e-9));
    previous = gain;
  }
}

TEST_CASE("partial overlap: the exposed all-to-all is what its paired stages cannot cover") {
  // At the LMSYS decode point the all-to-all is about as long as the compute; under full
  // overlap (2 max(C, A)) nearly all of it would hide. SGLang's decode stages pair the
  // dispatch with the shared experts and the other half's pre-attention projections only,
  // so a part stays exposed.
  const auto model = deepseek_288();
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  const StepTimeModel plain(model, h100, fp8(), dep(72, false));
  const StepTimeModel two(model, h100, fp8(), dep(72, true));
  const BatchShape batch = decode_batch(256 * 72, 2000);
  const StepCost half = plain.price(half_of(batch));
  const StepCost overlapped = two.price(batch);
  const double full_overlap_s = 2.0 * std::max(compute_s(half), half.time_s_of(Operator::all_to_all));
  CHECK(overlapped.time_s > 1.05 * full_overlap_s);
  CHECK(overlapped.time_s_of(Operator::all_to_all) > 0.1 * half.time_s_of(Operator::all_to_all));
}

TEST_CASE("DeepEP's normal kernels cross scale-out once per other domain, low-latency ones once per expert") {
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");  // 8 GPUs per NVLink domain
  const StepTimeModel dep32(model, h100, fp8(), dep(32, false));
  const double k = static_cast<double>(model.experts_per_token);
  const double h = static_cast<double>(model.hidden_size);
  llmsim::hw::RankShare share;
  share.prefill_tokens = 4096.0;
  share.prefill_attention_pairs = 4096.0 * 4097.0 / 2.0;
  share.prefill_kv_tokens = 4096.0;
  share.group_tokens = 32.0 * 4096.0;
  const auto items = dep32.work_model().stage_items(share, dep32.stages().front());
  const llmsim::hw::WorkItem* a2a = nullptr;
  for (const auto& item : items) {
    if (item.op == Operator::all_to_all) a2a = &item;
  }
  REQUIRE(a2a != nullptr);
  // 4 domains of 64 experts: a token misses a domain when its 8 experts all lie in the other
  // 192; of the domains it reaches, 3/4 are not its own.
  double missed = 1.0;
  for (int i = 0; i < 8; ++i) missed *= (192.0 - i) / (256.0 - i);
  const double remote_domains = 4.0 * (1.0 - missed) * 3.0 / 4.0;
  const double bytes_per_message = h * (1.0 + 4.0 / 128.0 + 2.0) / 2.0;  // FP8 dispatch, bf16 combine
  const double pairs = share.group_tokens * k / 32.0;                      // the mean GPU's, mean load
  CHECK(a2a->scale_out_link_bytes == doctest::Approx(pairs / k * remote_domains * bytes_per_message));
  // At most once per other domain: never more than 3 messages a token, and fewer than one
  // per GPU holding its experts (what crossing per GPU would send).
  CHECK(a2a->scale_out_link_bytes <= pairs / k * 3.0 * bytes_per_message);
  llmsim::hw::RankShare decode_share;
  decode_share.decode_seqs = 4096.0;
  decode_share.decode_kv_tokens = 4096.0 * 2000.0;
  decode_share.sampled_seqs = 4096.0;
  decode_share.group_tokens = share.group_tokens;
  const auto decode_items = dep32.work_model().stage_items(decode_share, dep32.stages().front());
  for (const auto& item : decode_items) {
    // Low-latency kernels: every (token, expert) pair, 24/32 of them to other domains.
    if (item.op == Operator::all_to_all) {
      CHECK(item.scale_out_link_bytes == doctest::Approx(pairs * 24.0 / 32.0 * bytes_per_message));
      CHECK(item.scale_out_link_bytes > a2a->scale_out_link_bytes);
    }
  }
}

TEST_CASE("each engine preset names the overlap schedule it runs, or none") {
  using llmsim::loader::load_engine;
  CHECK(load_engine("sglang").engine.two_batch_overlap == OverlapSchedule::sglang_tbo);
  CHECK(load_engine("vllm-v1").engine.two_batch_overlap == OverlapSchedule::vllm_dbo);
  CHECK(load_engine("vllm-v1-sync").engine.two_batch_overlap == OverlapSchedule::vllm_dbo);
  CHECK_FALSE(load_engine("vllm-v0").engine.two_batch_overlap.has_value());
  CHECK_FALSE(load_engine("trtllm").engine.two_batch_overlap.has_value());
}

TEST_CASE("the same DEP scenario under sglang and vllm-v1 prices SGLang's TBO and vLLM's DBO") {
  // deepseek-v3-dep (DEP8 on H200, fp8) with two_batch_overlap on; only engine.kind differs.
  const std::string path = std::string(LLMSIM_SOURCE_DIR) + "/configs/scenarios/deepseek-v3-dep.yaml";
  const auto pool_under = [&](const std::string& engine) {
    return llmsim::loader::load_scenario(path, {{"deployment.two_batch_overlap", "true"}, {"engine.kind", engine}})
        .pools.front();
  };
  const auto sglang = pool_under("sglang");
  const auto vllm = pool_under("vllm-v1");
  REQUIRE(sglang.parallelism().two_batch_overlap);
  REQUIRE(vllm.parallelism().two_batch_overlap);
  CHECK(sglang.parallelism().overlap_schedule == OverlapSchedule::sglang_tbo);
  CHECK(vllm.parallelism().overlap_schedule == OverlapSchedule::vllm_dbo);
  // Each pool's pricer is the step-time model with its engine's schedule and nothing else:
  // the same step as dep(8, true, schedule) on the same model, hardware and precision.
  const StepTimeModel sglang_step(sglang.model, sglang.hardware, sglang.precision, sglang.parallelism());
  const StepTimeModel vllm_step(vllm.model, vllm.hardware, vllm.precision, vllm.parallelism());
  const StepTimeModel tbo(sglang.model, sglang.hardware, sglang.precision, dep(8, true, OverlapSchedule::sglang_tbo));
  const StepTimeModel dbo(sglang.model, sglang.hardware, sglang.precision, dep(8, true, OverlapSchedule::vllm_dbo));
  bool differ = false;
  for (const BatchShape& batch : {decode_batch(8 * 128, 2000), decode_batch(8 * 16, 1000), prompt_batch(8 * 2, 4096)}) {
    CHECK(sglang_step.price(batch).time_s == tbo.price(batch).time_s);
    CHECK(vllm_step.price(batch).time_s == dbo.price(batch).time_s);
    differ = differ || sglang_step.price(batch).time_s != vllm_step.price(batch).time_s;
  }
  CHECK(differ);  // the schedules pair the phases with different stages
}

TEST_CASE("DeepEP's normal kernels' SMs slow an overlapped prompt step, not a decode step") {
  // DEP8 on one H100 board: the all-to-all crosses NVLink only, so the step is compute-bound
  // and the compute beside each in-flight phase is what sets it. The same H100 with (almost)
  // no SM taken by communication: 100,000 SMs, 20 of them DeepEP's.
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  REQUIRE(h100.sm_count == 132);
  auto many_sms = h100;
  many_sms.sm_count = 100000;
  for (const OverlapSchedule schedule : {OverlapSchedule::sglang_tbo, OverlapSchedule::vllm_dbo}) {
    const StepTimeModel shared(model, h100, fp8(), dep(8, true, schedule));
    const StepTimeModel unshared(model, many_sms, fp8(), dep(8, true, schedule));
    // Decode runs the low-latency kernels, which hold no SMs in flight: identical steps.
    for (const std::int64_t per_gpu : {16, 128}) {
      const BatchShape decode = decode_batch(8 * per_gpu, 2000);
      CHECK(shared.price(decode).time_s == unshared.price(decode).time_s);
    }
    // Prefill runs the normal kernels: slower, but by no more than the whole compute
    // stretched by 132 / 112 (only compute beside a phase slows).
    const BatchShape prompts = prompt_batch(8 * 2, 4096);
    const StepCost slow = shared.price(prompts);
    const StepCost fast = unshared.price(prompts);
    CHECK(slow.time_s > fast.time_s * 1.001);
    CHECK(slow.time_s - fast.time_s <= compute_s(fast) * (132.0 / 112.0 - 1.0));
    // The slowdown is the communication's cost: it is reported with the all-to-all.
    CHECK(compute_s(slow) == doctest::Approx(compute_s(fast)));
    CHECK(slow.time_s_of(Operator::all_to_all) > fast.time_s_of(Operator::all_to_all));
  }
  // Without overlap the kernels run alone and the SM count changes nothing.
  const StepTimeModel plain(model, h100, fp8(), dep(8, false));
  const StepTimeModel plain_many(model, many_sms, fp8(), dep(8, false));
  CHECK(plain.price(prompt_batch(8 * 2, 4096)).time_s == plain_many.price(prompt_batch(8 * 2, 4096)).time_s);
}

TEST_CASE("two-batch overlap on hardware without an SM count is refused, not priced without DeepEP's SMs") {
  auto h100 = llmsim::loader::load_hardware("h100-sxm");
  h100.sm_count = 0;
  CHECK_THROWS_AS(StepTimeModel(deepseek_288(), h100, fp8(), dep(32, true)), llmsim::core::InputError);
  CHECK_NOTHROW(StepTimeModel(deepseek_288(), h100, fp8(), dep(32, false)));
}

TEST_CASE("vLLM's DBO runs a step whole at or below its token thresholds; SGLang's TBO splits it") {
  // vllm/config/parallel.py defaults: dbo_decode_token_threshold 32, dbo_prefill_token_threshold
  // 512, tokens per DP rank ("greater than this threshold" micro-batches).
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  const StepTimeModel plain(model, h100, fp8(), dep(8, false));
  const StepTimeModel dbo(model, h100, fp8(), dep(8, true, OverlapSchedule::vllm_dbo));
  const StepTimeModel tbo(model, h100, fp8(), dep(8, true, OverlapSchedule::sglang_tbo));
  const auto same = [&](const StepTimeModel& a, const BatchShape& b) { return a.price(b).time_s == plain.price(b).time_s; };
  CHECK(same(dbo, decode_batch(8 * 32, 2000)));
  CHECK_FALSE(same(dbo, decode_batch(8 * 33, 2000)));
  CHECK_FALSE(same(tbo, decode_batch(8 * 32, 2000)));
  CHECK(same(dbo, prompt_batch(8, 512)));
  CHECK_FALSE(same(dbo, prompt_batch(8, 513)));
  CHECK_FALSE(same(tbo, prompt_batch(8, 512)));
}

TEST_CASE("a decode-only DP rank in a step where another rank extends pays DeepEP's normal kernels' SMs") {
  // SUM_LEN lockstep (sim/cluster/dp_group.h): the rank's decode batch runs DeepEP's normal
  // kernels because another rank computes prompt tokens (BatchShape::lockstep_extends), so
  // under overlap its compute beside an in-flight phase slows as a prompt step's does.
  const auto model = llmsim::loader::load_model("deepseek-v3");
  const auto h100 = llmsim::loader::load_hardware("h100-sxm");
  auto many_sms = h100;
  many_sms.sm_count = 100000;
  const StepTimeModel shared(model, h100, fp8(), dep(8, true));
  const StepTimeModel unshared(model, many_sms, fp8(), dep(8, true));
  BatchShape rank = decode_batch(8 * 128, 2000);
  rank.lockstep_tokens = 128 + 4096;  // this rank's 128 decodes and another rank's prompt
  rank.lockstep_extends = true;
  CHECK(shared.price(rank).time_s > unshared.price(rank).time_s);
  rank.lockstep_extends = false;  // a decode-only step: low-latency kernels, no SMs held
  CHECK(shared.price(rank).time_s == unshared.price(rank).time_s);
}
