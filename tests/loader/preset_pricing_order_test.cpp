// The one pricing loop against the bbfc3bb formulas (tests/hw/reference_pricing.h), bit for
// bit, on every shipped model x hardware preset: the deployments users run.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "tests/hw/reference_pricing.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::Precision;
using llmsim::hw::StepTimeModel;

/// Prices decode-only batches of 1 to 1,024 sequences on 1 to ~100,000 keys each, alone and
/// with a prefill chunk beside them, through the model and the reference; returns how many
/// differed.
int count_differences(const StepTimeModel& model, double exponent) {
  BatchShape one;
  one.decode_seqs = 1;
  one.decode_kv_tokens = 1.0;
  one.sampled_seqs = 1;
  const double overhead_s = model.price(one).overhead_s;
  int differences = 0;
  for (std::int64_t seqs = 1; seqs <= 1024; seqs = seqs * 3 / 2 + 1) {
    for (double keys_each = 1.0; keys_each < 1e5; keys_each = keys_each * 2.7 + 0.5) {
      BatchShape batch;
      batch.decode_seqs = seqs;
      batch.sampled_seqs = seqs;
      batch.decode_kv_tokens = static_cast<double>(seqs) * keys_each;
      const auto reference = llmsim::hw::test::reference_price(model, batch, exponent, overhead_s);
      if (!llmsim::hw::test::same_bits(model.price(batch), reference)) ++differences;
      // A 512-token chunk on 1,000 cached tokens that does not finish its prompt.
      batch.prefill_seqs = 1;
      batch.prefill_tokens = 512;
      batch.prefill_attention_pairs = 512.0 * 1000.0 + 512.0 * 513.0 / 2.0;
      batch.prefill_kv_tokens = 1512.0;
      const auto mixed = llmsim::hw::test::reference_price(model, batch, exponent, overhead_s);
      if (!llmsim::hw::test::same_bits(model.price(batch), mixed)) ++differences;
    }
  }
  return differences;
}

}  // namespace

TEST_CASE("prices equal the bbfc3bb formulas bit for bit on every shipped preset") {
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
            CHECK(count_differences(step_time, hardware.efficiency.roofline_exponent) == 0);
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
