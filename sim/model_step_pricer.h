// ModelStepPricer: the production StepPricer, backed by hw::StepTimeModel.
#pragma once

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/memoised_step_pricer.h"
#include "hw/step_time_model.h"
#include "sim/step_pricer.h"

namespace llmsim::sim {

/// Prices through hw::MemoisedStepPricer: the costs of hw::StepTimeModel::price, bit for
/// bit, at a fraction of the work. One per pool of one Simulator, which runs on a single
/// thread, so its memo tables need no lock.
class ModelStepPricer final : public StepPricer {
 public:
  /// Throws core::InputError where hw::StepTimeModel's constructor does.
  ModelStepPricer(const core::ModelSpec& model, const hw::HardwareSpec& hardware,
                  hw::Precision precision, int tensor_parallel)
      : pricer_(hw::StepTimeModel(model, hardware, precision, hw::Parallelism{tensor_parallel})) {}

  hw::StepTotals price(const hw::BatchShape& batch) const override { return pricer_.price_totals(batch); }
  double peak_flops_per_s_group() const override {
    return pricer_.model().peak_flops_per_s_group();
  }
  double hbm_bandwidth_bytes_per_s_group() const override {
    return pricer_.model().hbm_bandwidth_group();
  }

 private:
  /// mutable: price() fills its memo tables, which never changes what it returns.
  mutable hw::MemoisedStepPricer pricer_;
};

}  // namespace llmsim::sim
