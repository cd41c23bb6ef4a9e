// Shared fixtures of the sim tests: a hand-checkable pricer, a request list source, and
// Llama-3.1-8B / H100 facts built in code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "sim/cluster/request_source.h"
#include "sim/scenario.h"
#include "sim/cluster/simulator.h"
#include "sim/engine/step_pricer.h"
#include "tests/core/reference_models.h"
#include "workloads/request_spec.h"

namespace llmsim::sim::testing {

/// time = base_s + per_token_s x new tokens. Chosen in whole microseconds, so that the
/// nanosecond rounding is exact and expected times follow by hand. Prefill batches are
/// compute bound, pure decode batches memory bound. flops = 1e9 per new token.
/// An attention-DP lockstep batch (BatchShape::lockstep_tokens > 0) is timed on the step's
/// tokens: every token costs the same wherever it runs, so a SUM_LEN step costs the union's.
class LinearPricer final : public StepPricer {
 public:
  LinearPricer(double base_s, double per_token_s) : base_s_(base_s), per_token_s_(per_token_s) {}
  hw::StepTotals price(const hw::BatchShape& batch) const override {
    hw::StepTotals cost;
    const std::int64_t timed_tokens = batch.lockstep_tokens > 0 ? batch.lockstep_tokens : batch.total_new_tokens();
    cost.time_s = base_s_ + per_token_s_ * static_cast<double>(timed_tokens);
    cost.flops = 1e9 * static_cast<double>(batch.total_new_tokens());
    cost.hbm_bytes = 1e9;
    cost.bound = batch.prefill_tokens > 0 ? hw::Bound::compute : hw::Bound::memory;
    return cost;
  }
  double peak_flops_per_s_group() const override { return 1e15; }
  double hbm_bandwidth_bytes_per_s_group() const override { return 1e12; }

 private:
  double base_s_;
  double per_token_s_;
};

/// Open-loop requests from a list (in arrival order).
class ListSource final : public RequestSource {
 public:
  explicit ListSource(std::vector<workloads::RequestSpec> requests) : requests_(std::move(requests)) {}
  bool closed_loop() const override { return false; }
  std::int64_t clients() const override { return 0; }
  double think_time_s() const override { return 0.0; }
  std::optional<workloads::RequestSpec> next() override {
    if (next_ >= requests_.size()) return std::nullopt;
    return requests_[next_++];
  }
  std::optional<workloads::RequestSpec> next_at(workloads::TimeNs) override { return std::nullopt; }
  std::int64_t total_requests() const override { return static_cast<std::int64_t>(requests_.size()); }

 private:
  std::vector<workloads::RequestSpec> requests_;
  std::size_t next_ = 0;
};

inline workloads::RequestSpec request(std::uint64_t id, workloads::TimeNs arrival_ns,
                                      std::int64_t input_tokens, std::int64_t output_tokens) {
  workloads::RequestSpec r;
  r.id = id;
  r.arrival_ns = arrival_ns;
  r.input_tokens = input_tokens;
  r.output_tokens = output_tokens;
  return r;
}

/// meta-llama/Llama-3.1-8B config.json.
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
  m.tie_word_embeddings = false;
  m.gated_mlp = true;
  m.nominal_params = 8.03e9;
  return m;
}

/// NVIDIA H100 SXM5 80GB datasheet: 989.4 TFLOP/s dense bf16, 3.35 TB/s, 80 GiB.
inline hw::HardwareSpec h100_sxm() {
  hw::HardwareSpec h;
  h.id = "h100-sxm";
  h.name = "NVIDIA H100 SXM5 80GB";
  h.peak.bf16_flops_per_s = 989.4e12;
  h.peak.fp32_flops_per_s = 66.9e12;
  h.peak.tf32_flops_per_s = 494.7e12;
  h.peak.fp8_flops_per_s = 1978.9e12;
  h.hbm_bandwidth_bytes_per_s = 3.35e12;
  h.hbm_capacity_bytes = 80.0 * 1024.0 * 1024.0 * 1024.0;
  h.interconnect_bandwidth_bytes_per_s = 450e9;
  h.interconnect_latency_s = 5e-6;
  return h;
}

/// One pool of Llama-3.1-8B on H100s with the given engine; the workload is set by callers.
inline Scenario llama_scenario(const EngineConfig& engine, int replicas = 1) {
  Scenario s;
  s.seed = 7;
  PoolSpec pool;
  pool.model = llama_3_1_8b();
  pool.hardware = h100_sxm();
  pool.replicas = replicas;
  pool.engine = engine;
  s.pools.push_back(pool);
  return s;
}

/// DeepSeek-V3 (tests/core/reference_models.h) in fp8 on two H100s as DEP2: attention DP 2,
/// expert parallelism 2; 4096 tokens and 128 sequences per rank.
inline Scenario dep2_scenario() {
  EngineConfig engine;
  engine.max_num_seqs = 128 * 2;
  engine.max_num_batched_tokens = 4096 * 2;
  Scenario s = llama_scenario(engine);
  PoolSpec& pool = s.pools[0];
  pool.model = core::testing::deepseek_v3();
  pool.precision.weights = core::DType::fp8;
  pool.attention_data_parallel = 2;
  pool.expert_parallel = 2;
  return s;
}

/// Hooks with a LinearPricer, a fixed KV size and a request list.
inline SimulatorHooks linear_hooks(double base_s, double per_token_s, std::int64_t kv_blocks,
                                   std::vector<workloads::RequestSpec> requests) {
  SimulatorHooks hooks;
  hooks.make_pricer = [base_s, per_token_s](const PoolSpec&) {
    return std::make_unique<LinearPricer>(base_s, per_token_s);
  };
  hooks.kv_blocks_per_replica = kv_blocks;
  hooks.requests = std::make_unique<ListSource>(std::move(requests));
  return hooks;
}

}  // namespace llmsim::sim::testing
