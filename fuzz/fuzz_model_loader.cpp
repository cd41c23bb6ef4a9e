// libFuzzer harness: a model YAML file (loader::load_model). Bad input must end in
// core::InputError; a model the loader accepts must be safe for the arithmetic that
// `llmsim flops` and `llmsim memory` run on it (parameter counts, FLOPs, memory footprint).
#include <cstddef>
#include <cstdint>

#include "core/input_error.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/model_arithmetic.h"
#include "loader/model_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llmsim::fuzz::write_input_file(data, size, "model.yaml");
  try {
    const llmsim::core::ModelSpec model = llmsim::loader::load_model(path);
    llmsim::fuzz::exercise_model_arithmetic(model);
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
