// The decode-only fast path of hw::StepTimeModel (price_decode_only) against price(), bit
// for bit, on every shipped model x hardware preset: the deployments users run.
#include <doctest/doctest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/batch_shape.h"
#include "hw/memoised_step_pricer.h"
#include "hw/step_time_model.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::MemoisedStepPricer;
using llmsim::hw::Precision;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;

/// Whether every field of the two costs is the same bits, bound included.
bool bit_identical(const StepCost& a, const StepCost& b) {
  const auto same = [](double x, double y) {
    return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
  };
  bool identical = same(a.time_s, b.time_s) && same(a.flops, b.flops) &&
                   same(a.hbm_bytes, b.hbm_bytes) && a.bound == b.bound;
  for (std::size_t op = 0; op < a.op_time_s.size(); ++op) {
    identical = identical && same(a.op_time_s[op], b.op_time_s[op]);
  }
  return identical;
}

/// Prices decode-only batches of 1 to 1,024 sequences on 1 to ~100,000 keys each through a
/// MemoisedStepPricer and the reference; returns how many differed.
int count_differences(const StepTimeModel& model) {
  MemoisedStepPricer memoised(model);
  int differences = 0;
  for (std::int64_t seqs = 1; seqs <= 1024; seqs = seqs * 3 / 2 + 1) {
    for (double keys_each = 1.0; keys_each < 1e5; keys_each = keys_each * 2.7 + 0.5) {
      BatchShape batch;
      batch.decode_seqs = seqs;
      batch.sampled_seqs = seqs;
      batch.decode_kv_tokens = static_cast<double>(seqs) * keys_each;
      if (!bit_identical(memoised.price(batch), model.price(batch))) ++differences;
    }
  }
  return differences;
}

}  // namespace

TEST_CASE("decode-only prices equal the reference bit for bit on every shipped preset") {
  Precision fp8_weights;
  fp8_weights.weights = llmsim::core::DType::fp8;
  int deployments = 0;
  for (const std::string& model_id : llmsim::loader::list_model_presets()) {
    const auto model = llmsim::loader::load_model(model_id);
    for (const std::string& hardware_id : llmsim::loader::list_hardware_presets()) {
      const auto hardware = llmsim::loader::load_hardware(hardware_id);
      for (const Precision precision : {Precision{}, fp8_weights}) {
        for (const int tp : {1, 2, 4, 8}) {
          CAPTURE(model_id);
          CAPTURE(hardware_id);
          CAPTURE(tp);
          const bool fp8 = precision.weights == llmsim::core::DType::fp8;
          CAPTURE(fp8);
          try {
            const StepTimeModel step_time(model, hardware, precision, llmsim::hw::Parallelism{tp});
            CHECK(count_differences(step_time) == 0);
            ++deployments;
          } catch (const llmsim::core::InputError&) {
            // A deployment the presets do not allow (tp not dividing the heads, no fp8 peak).
          }
        }
      }
    }
  }
  CHECK(deployments >= 100);
}
