#include "fuzz/model_arithmetic.h"

#include "core/flop_methods.h"
#include "core/memory_footprint.h"
#include "core/parameter_counts.h"

namespace llmsim::fuzz {

void exercise_model_arithmetic(const core::ModelSpec& model) {
  (void)core::count_parameters(model);
  core::FlopQuery query;
  query.batch = 8;
  query.input_tokens = 1000;
  query.output_tokens = 100;
  (void)core::simple_flops(model, query, core::ParamBasis::active);
  (void)core::palm_flops(model, query);
  (void)core::no_kv_cache_flops(model, query, core::ParamBasis::total);
  (void)core::calculator_flops(model, query);
  (void)core::precise_flops(model, query);
  core::MemoryQuery memory;
  memory.batch = 8;
  memory.sequence_tokens = 4096;
  memory.tensor_parallel = 2;
  (void)core::memory_footprint(model, memory).total_bytes();
  constexpr double kEightyGiB = 80.0 * 1024.0 * 1024.0 * 1024.0;
  (void)core::max_batch_that_fits(model, memory, kEightyGiB);
}

}  // namespace llmsim::fuzz
