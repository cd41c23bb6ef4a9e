// LLMServingSim 2.0 Figure 5, the measured side (data/reference/2026/llmservingsim2-fig5_*):
// vLLM on H100s serving Llama-3.1-70B in fp16 over the 300-request ShareGPT trace at 10 req/s
// (the companion trace file gives every request's arrival time and input and output
// lengths), generated tokens per second in 1-second bins, for two of the figure's modes:
//   MD   two instances of 4 H100 each (TP4), requests split over them; the router policy is
//        not stated, llmsim uses round_robin;
//   PDD  prefill/decode disaggregation, one TP4 prefill instance and one TP4 decode
//        instance on one 8-GPU node (llmsim puts the KV transfer on NVLink, the scale-up link).
// The vLLM version and flags are not stated: llmsim uses its vllm-v1 preset (chunked prefill,
// max_num_seqs 256, max_num_batched_tokens 8192, block size 16 as in the configs).
// Compared, per mode, not bin by bin: the mean tokens/s over the reference's busy window (the
// bins from the first to the last with tokens; nearly fixed by the trace's output tokens
// whenever llmsim finishes inside that window, so a weak check), the mean over bins 5-30 s
// (while requests arrive), and the busy window's end (the drain time). The
// reference's bins are labelled at their end (t = 0 holds 0 tokens), so reference bin t is
// llmsim's [t - 1, t) seconds. VALIDATION only: nothing was fitted to these runs.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "app/listed_requests.h"
#include "app/serving_sets.h"
#include "core/byte_counts.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "sim/cluster/disaggregation.h"
#include "sim/cluster/simulator.h"
#include "sim/metrics/time_series.h"

namespace llmsim::app {
namespace {

constexpr workloads::TimeNs kBinNs = 1'000'000'000;
/// The steady window, reference bins 5..30: past the first seconds' ramp-up, before the
/// arrivals end (the trace's last request arrives at 29.2 s).
constexpr std::size_t kSteadyFirstBin = 5;
constexpr std::size_t kSteadyLastBin = 30;

sim::PoolSpec tp4_pool(const std::string& name, int replicas) {
  sim::PoolSpec pool;
  pool.name = name;
  pool.model = loader::load_model("llama-3.1-70b");
  pool.hardware = loader::load_hardware("h100-sxm");
  pool.precision.weights = core::DType::fp16;  // --fp 16 in the artifact's configs
  pool.precision.kv_cache = core::DType::fp16;
  pool.tensor_parallel = 4;
  pool.replicas = replicas;
  pool.engine = loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  return pool;
}

/// Generated tokens in each 1-s bin [k, k + 1) of simulated time.
std::vector<double> simulated_bins(const sim::Scenario& scenario, const std::vector<workloads::RequestSpec>& trace) {
  std::int32_t replicas = 0;
  for (const sim::PoolSpec& pool : scenario.pools) replicas += pool.replicas;
  sim::TimeSeriesRecorder recorder(replicas, /*max_points=*/1'000'000, kBinNs);
  sim::SimulatorHooks hooks;
  hooks.requests = listed_source(trace, /*clients=*/0);
  hooks.observers = {&recorder};
  sim::Simulator simulator(scenario, std::move(hooks));
  simulator.run();
  if (recorder.interval_ns() != kBinNs) throw core::InputError("", 0, "", "the time series lost its 1-s bins");
  std::vector<double> bins;
  for (const sim::TimeSeriesBucket& bucket : recorder.buckets()) bins.push_back(static_cast<double>(bucket.output_tokens));
  return bins;
}

void compare_mode(const hw::CsvTable& reference, const std::string& mode, const sim::Scenario& scenario,
                  const std::vector<workloads::RequestSpec>& trace, SetResult& set) {
  std::vector<double> measured;  // measured[t]: reference bin labelled t
  for (std::size_t r = 0; r < reference.rows(); ++r) {
    if (reference.text(r, "mode") != mode) continue;
    const auto t = static_cast<std::size_t>(reference.integer(r, "time_s"));
    if (measured.size() <= t) measured.resize(t + 1, 0.0);
    measured[t] = reference.number(r, "throughput_tok_s");
  }
  std::size_t first = 0;
  std::size_t last = 0;
  for (std::size_t t = 0; t < measured.size(); ++t) {
    if (measured[t] <= 0.0) continue;
    if (first == 0) first = t;
    last = t;
  }
  if (first == 0) throw core::InputError(reference.path(), 0, "", "mode " + mode + " has no bin with tokens");
  const std::vector<double> simulated = simulated_bins(scenario, trace);
  double measured_sum = 0.0;
  double simulated_sum = 0.0;
  for (std::size_t t = first; t <= last; ++t) {
    measured_sum += measured[t];
    simulated_sum += t - 1 < simulated.size() ? simulated[t - 1] : 0.0;
  }
  const auto bins = static_cast<double>(last - first + 1);
  std::size_t simulated_last = 0;
  for (std::size_t k = 0; k < simulated.size(); ++k) {
    if (simulated[k] > 0.0) simulated_last = k + 1;  // labelled at its end, as the reference
  }
  set.metrics.push_back({mode + " mean tok/s over the busy window", measured_sum / bins, simulated_sum / bins});
  // While requests still arrive (the trace's last arrival is at 29.2 s), past the ramp-up.
  double measured_steady = 0.0;
  double simulated_steady = 0.0;
  for (std::size_t t = kSteadyFirstBin; t <= kSteadyLastBin && t < measured.size(); ++t) {
    measured_steady += measured[t];
    simulated_steady += t - 1 < simulated.size() ? simulated[t - 1] : 0.0;
  }
  const auto steady_bins = static_cast<double>(kSteadyLastBin - kSteadyFirstBin + 1);
  set.metrics.push_back({mode + " mean tok/s, bins 5-30 s", measured_steady / steady_bins, simulated_steady / steady_bins});
  set.metrics.push_back({mode + " drain time s (last bin with tokens)", static_cast<double>(last),
                         static_cast<double>(simulated_last)});
}

}  // namespace

void llmservingsim_fig5_sets(const std::string& dir, std::vector<SetResult>& sets) {
  const hw::CsvTable reference(dir + "/llmservingsim2-fig5_llama-3.1-70b-mixtral-8x7b_h100-throughput-timeseries.csv");
  const std::vector<workloads::RequestSpec> trace = llama_sharegpt_trace(dir + "/llmservingsim2-fig5_sharegpt-req300-rate10_trace.csv");
  SetResult set{.name = "LLMServingSim 2.0 Fig. 5 vLLM Llama-3.1-70B 8xH100: two instances and 1P1D, tokens/s"};

  sim::Scenario md;
  md.seed = 1;
  md.pools.push_back(tp4_pool("instances", 2));
  compare_mode(reference, "MD", md, trace, set);

  sim::Scenario pdd;
  pdd.seed = 1;
  pdd.pools.push_back(tp4_pool("prefill", 1));
  pdd.pools.push_back(tp4_pool("decode", 1));
  sim::DisaggregationSpec d;
  d.prefill_pool = 0;
  d.decode_pool = 1;
  if (const auto problem = sim::kv_link_between(pdd.pools[0], pdd.pools[1], d.link)) {
    throw core::InputError("", 0, "", *problem);
  }
  d.kv_bytes_per_token = core::kv_cache_bytes_per_token(pdd.pools[0].model, pdd.pools[0].precision.kv_cache);
  pdd.disaggregation = d;
  compare_mode(reference, "PDD", pdd, trace, set);
  sets.push_back(set);
}

}  // namespace llmsim::app
