// libFuzzer harness: a Hugging Face config.json (loader::read_hf_config). Bad input must end
// in core::InputError; an accepted model must be safe for the flops/memory arithmetic.
#include <cstddef>
#include <cstdint>

#include "core/input_error.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/model_arithmetic.h"
#include "loader/hf_config_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llmsim::fuzz::write_input_file(data, size, "config.json");
  try {
    const llmsim::core::ModelSpec model = llmsim::loader::read_hf_config(path);
    llmsim::fuzz::exercise_model_arithmetic(model);
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
