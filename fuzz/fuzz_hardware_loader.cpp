// libFuzzer harness: a hardware YAML file (loader::load_hardware). Bad input must end in
// core::InputError; an accepted GPU must be safe for what `llmsim memory` and the scenario
// loader compute with it: the largest batch that fits and the KV-cache capacity of a pool of
// Llama-3.1-8B on it.
#include <cstddef>
#include <cstdint>

#include "core/input_error.h"
#include "core/memory_footprint.h"
#include "fuzz/fuzz_input.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "sim/engine/kv_capacity.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const llmsim::core::ModelSpec kModel = llmsim::loader::load_model("llama-3.1-8b");
  const std::string path = llmsim::fuzz::write_input_file(data, size, "hardware.yaml");
  try {
    llmsim::sim::PoolSpec pool;
    pool.model = kModel;
    pool.hardware = llmsim::loader::load_hardware(path);
    llmsim::core::MemoryQuery memory;
    memory.sequence_tokens = 4096;
    (void)llmsim::core::max_batch_that_fits(kModel, memory, pool.hardware.hbm_capacity_bytes);
    (void)llmsim::sim::kv_capacity(pool);
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
