// libFuzzer harness: a scenario YAML (loader::load_scenario_text), read as if it were a file in
// configs/scenarios/ so that the shipped scenarios, as seeds, find their presets and traces.
// An input whose first line is "#set KEY=VALUE" also applies that --set override.
// Bad input must end in core::InputError. For a scenario the loader accepts, the checks the
// simulator repeats must pass too: the workload validation (workloads/workload_validation.h)
// and a KV cache of at least one block on every pool.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "fuzz/fuzz_input.h"
#include "loader/scenario_loader.h"
#include "sim/engine/kv_capacity.h"
#include "workloads/workload_validation.h"

namespace {

/// The "#set KEY=VALUE" first line, if any, as an override; removed from `text`.
std::vector<llmsim::loader::Override> take_override(std::string& text) {
  const std::string prefix = "#set ";
  if (text.compare(0, prefix.size(), prefix) != 0) return {};
  const std::size_t end = text.find('\n');
  const std::string line = text.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
  text.erase(0, end == std::string::npos ? text.size() : end + 1);
  return {llmsim::loader::parse_override(line)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string kFile = std::string(LLMSIM_SOURCE_DIR) + "/configs/scenarios/fuzz-input.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const std::vector<llmsim::loader::Override> overrides = take_override(text);
    const llmsim::sim::Scenario scenario = llmsim::loader::load_scenario_text(text, kFile, overrides);
    try {
      llmsim::workloads::validate_workload_spec(scenario.workload);
    } catch (const llmsim::core::InputError& error) {
      std::fprintf(stderr, "%s\n", error.what());
      llmsim::fuzz::property_failed("the loader accepted a workload that validate_workload_spec rejects");
    }
    for (const llmsim::sim::PoolSpec& pool : scenario.pools) {
      if (llmsim::sim::kv_capacity(pool).blocks <= 0) {
        llmsim::fuzz::property_failed("the loader accepted a pool that does not fit");
      }
    }
    if (scenario.workload.trace && !scenario.workload.trace->rows) {
      llmsim::fuzz::property_failed("the loader did not read the trace");
    }
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
