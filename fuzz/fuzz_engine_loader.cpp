// libFuzzer harness: an engine YAML file (loader::load_engine). Bad input must end in
// core::InputError; an accepted engine's defaults for Llama-3.1-8B on an H100 must hold what
// the simulator requires of a pool's engine (sim/cluster/simulator.cpp, check_pool): at least
// one sequence, one batched token and one-token blocks, and a memory share in (0, 1].
#include <cstddef>
#include <cstdint>

#include "core/input_error.h"
#include "fuzz/fuzz_input.h"
#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const llmsim::core::ModelSpec kModel = llmsim::loader::load_model("llama-3.1-8b");
  static const llmsim::hw::HardwareSpec kHardware = llmsim::loader::load_hardware("h100-sxm");
  const std::string path = llmsim::fuzz::write_input_file(data, size, "engine.yaml");
  try {
    const llmsim::loader::EnginePreset preset = llmsim::loader::load_engine(path);
    const llmsim::sim::EngineConfig engine = preset.defaults_for(kHardware, kModel);
    if (engine.max_num_seqs < 1) llmsim::fuzz::property_failed("an engine with no sequence slot");
    if (engine.max_num_batched_tokens < 1) llmsim::fuzz::property_failed("an engine with no batched token");
    if (engine.block_size < 1) llmsim::fuzz::property_failed("an engine with empty KV blocks");
    if (!(engine.gpu_memory_utilization > 0.0 && engine.gpu_memory_utilization <= 1.0)) {
      llmsim::fuzz::property_failed("an engine's memory share outside (0, 1]");
    }
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
