// The simulator against the real step-time model: numbers a serving engineer can check.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "hw/step_time_model.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim;
using namespace llmsim::sim;
using namespace llmsim::sim::testing;

namespace {

workloads::TimeNs to_ns(double seconds) {
  return std::max<workloads::TimeNs>(1, std::llround(seconds * 1e9));
}

}  // namespace

TEST_CASE("a lone llama-3.1-8b request on an h100 decodes no faster than streaming its weights") {
  constexpr std::int64_t kInput = 1000;
  constexpr std::int64_t kOutput = 33;
  Scenario scenario = llama_scenario(EngineConfig{});
  SimulatorHooks hooks;
  hooks.requests = std::make_unique<ListSource>(std::vector<workloads::RequestSpec>{
      request(0, 0, kInput, kOutput)});
  Simulator simulator(scenario, std::move(hooks));
  const RunResult r = simulator.run();

  const hw::HardwareSpec gpu = h100_sxm();
  const hw::StepTimeModel model(llama_3_1_8b(), gpu, hw::Precision{}, hw::Parallelism{1});
  // bf16 weights, read once per decode step at best: 2 x (8.03e9 - 128,256 x 4,096) bytes, all
  // but the input embedding table, whose rows are looked up, not streamed. (With no host time
  // in this scenario the bound is the GPU's alone.)
  const double weight_streaming_s =
      2.0 * (8.03e9 - 128256.0 * 4096.0) / (3.35e12 * gpu.efficiency[hw::Operator::gemm].bandwidth);

  hw::BatchShape prefill;
  prefill.prefill_seqs = 1;
  prefill.prefill_tokens = kInput;
  prefill.prefill_attention_pairs = kInput * (kInput + 1) / 2.0;
  prefill.prefill_kv_tokens = kInput;
  prefill.sampled_seqs = 1;
  const workloads::TimeNs ttft_ns = to_ns(model.price(prefill).time_s);

  // Decode step k (1..32) computes the token after k - 1 decoded ones: c = 1000 + k - 1
  // cached tokens, so it attends c + 1 keys.
  workloads::TimeNs decode_ns = 0;
  for (std::int64_t k = 1; k < kOutput; ++k) {
    hw::BatchShape decode;
    decode.decode_seqs = 1;
    decode.decode_kv_tokens = static_cast<double>(kInput + k);
    decode.sampled_seqs = 1;
    const hw::StepCost cost = model.price(decode);
    CHECK(cost.time_s >= weight_streaming_s);
    CHECK(cost.bound == hw::Bound::memory);
    decode_ns += to_ns(cost.time_s);
  }
  const double expected_tpot_ms = static_cast<double>(decode_ns) / (kOutput - 1) / 1e6;
  CHECK(r.summary["mean_ttft_ms"].get<double>() == doctest::Approx(static_cast<double>(ttft_ns) / 1e6));
  CHECK(r.summary["mean_tpot_ms"].get<double>() == doctest::Approx(expected_tpot_ms));
  CHECK(r.summary["mean_tpot_ms"].get<double>() >= weight_streaming_s * 1e3);
  CHECK(r.summary["utilization"]["memory_bound_iteration_share"].get<double>() ==
        doctest::Approx(32.0 / 33.0));
  // The executed FLOPs are the step-time model's, split into prefill and decode.
  const double flops = r.summary["flops"]["flops_total"].get<double>();
  CHECK(flops == doctest::Approx(r.summary["flops"]["flops_prefill"].get<double>() +
                                 r.summary["flops"]["flops_decode"].get<double>()));
  CHECK(r.summary["flops"]["flops_prefill"].get<double>() > r.summary["flops"]["flops_decode"].get<double>());
  CHECK(r.summary["scenario"]["pools"][0]["kv_cache_blocks_per_replica"] == 28791);
}
