// The serving sets of `llmsim validate`: published measurements of engines under load
// (data/reference/2026), each replayed as a scenario with the engine that was measured.
// One file per source (app/serving_set_<source>.cpp) adds its sets; kServingSets lists
// them in the order they are printed. A new set is a new file and one line in the list.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/scenario.h"

namespace llmsim::app {

/// One published metric of one row, and what llmsim predicts for it.
struct MetricResult {
  std::string label;    ///< row and metric
  double measured = 0.0;
  double predicted = 0.0;
  double error() const { return predicted / measured - 1.0; }
};

/// A set of metrics summarised together. `calibration`: some engine or hardware value was
/// set from these rows, so they are reported but left out of the validation total.
/// Built with designated initialisers ({.name = ..., .calibration = true}), so that a new
/// field leaves the sets that do not use it untouched.
struct SetResult {
  std::string name;
  bool calibration = false;
  std::vector<MetricResult> metrics{};
  std::vector<std::string> skipped{};  ///< rows of the source not replayed, each with its reason
};

/// Runs one pool under one workload (seed 1) and returns summary.json's object.
nlohmann::json run_serving_scenario(const sim::PoolSpec& pool, const workloads::WorkloadSpec& workload);

/// Appends the sets read from the reference files under `dir`; throws core::InputError on an
/// unreadable or malformed file.
using ServingSetRunner = void (*)(const std::string& dir, std::vector<SetResult>& sets);

void vllm_fp8kv_sets(const std::string& dir, std::vector<SetResult>& sets);
void gpustack_sets(const std::string& dir, std::vector<SetResult>& sets);
void trtllm_perf_overview_sets(const std::string& dir, std::vector<SetResult>& sets);
void llmservingsim_fig5_sets(const std::string& dir, std::vector<SetResult>& sets);
void parallel_sets(const std::string& dir, std::vector<SetResult>& sets);
void trtllm_blackwell_sets(const std::string& dir, std::vector<SetResult>& sets);
void vllm_fp8kv_b200_sets(const std::string& dir, std::vector<SetResult>& sets);
void speculative_sets(const std::string& dir, std::vector<SetResult>& sets);

inline constexpr ServingSetRunner kServingSets[] = {
    vllm_fp8kv_sets,
    gpustack_sets,
    trtllm_perf_overview_sets,
    llmservingsim_fig5_sets,
    parallel_sets,
    trtllm_blackwell_sets,
    vllm_fp8kv_b200_sets,
    speculative_sets,
};

}  // namespace llmsim::app
