#include "hw/static_batch.h"

#include <algorithm>
#include <vector>

#include "core/invariant.h"

namespace llmsim::hw {

double decode_step_s(const StepTimeModel& model, std::int64_t batch, std::int64_t context) {
  return model.price(uniform_decodes(batch, static_cast<double>(context))).time_s;
}

StaticBatchTimes price_static_batch(const StepTimeModel& model, std::int64_t batch,
                                    std::int64_t isl, std::int64_t osl) {
  core::check_invariant(batch >= 1 && isl >= 1 && osl >= 1,
                        "price_static_batch: batch, isl and osl must be >= 1");
  StaticBatchTimes times;
  times.prefill_s = model.price(whole_prompts(batch, isl)).time_s;
  std::vector<double> steps;
  steps.reserve(static_cast<std::size_t>(osl - 1));
  for (std::int64_t j = 1; j < osl; ++j) {
    steps.push_back(decode_step_s(model, batch, isl + j - 1));
    times.decode_s += steps.back();
  }
  if (!steps.empty()) {
    // Step times grow with context, so the middle step is the median.
    times.median_decode_step_s = steps[steps.size() / 2];
  }
  times.total_s = times.prefill_s + times.decode_s;
  times.output_tokens_per_s = static_cast<double>(batch) * static_cast<double>(osl) / times.total_s;
  return times;
}

}  // namespace llmsim::hw
