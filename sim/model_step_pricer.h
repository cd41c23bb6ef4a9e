// ModelStepPricer: the production StepPricer, backed by hw::StepTimeModel.
#pragma once

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/parallelism.h"
#include "hw/precision.h"
#include "hw/step_time_model.h"
#include "sim/step_pricer.h"

namespace llmsim::sim {

/// Prices every iteration with hw::StepTimeModel::price, directly. No cache of prices: on
/// bench-100k, caches of item prices measured slower than pricing every item (the commit
/// that removed hw::MemoisedStepPricer gives the numbers).
class ModelStepPricer final : public StepPricer {
 public:
  /// Throws core::InputError where hw::StepTimeModel's constructor does.
  ModelStepPricer(const core::ModelSpec& model, const hw::HardwareSpec& hardware,
                  hw::Precision precision, int tensor_parallel)
      : model_(model, hardware, precision, hw::Parallelism{tensor_parallel}) {}

  hw::StepTotals price(const hw::BatchShape& batch) const override {
    return model_.price(batch);
  }
  double peak_flops_per_s_group() const override { return model_.peak_flops_per_s_group(); }
  double hbm_bandwidth_bytes_per_s_group() const override { return model_.hbm_bandwidth_group(); }

 private:
  hw::StepTimeModel model_;
};

}  // namespace llmsim::sim
