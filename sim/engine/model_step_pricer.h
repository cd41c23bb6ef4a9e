// ModelStepPricer: the production StepPricer, backed by hw::StepTimeModel.
#pragma once

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/parallelism.h"
#include "hw/precision.h"
#include "hw/step_price_cache.h"
#include "hw/step_time_model.h"
#include "sim/engine/step_pricer.h"

namespace llmsim::sim {

/// Prices every iteration as hw::StepTimeModel::price does, through an hw::StepPriceCache
/// (bit for bit the same totals; decode steps cost their decode attention and the sums).
class ModelStepPricer final : public StepPricer {
 public:
  /// Throws core::InputError where hw::StepTimeModel's constructor does.
  ModelStepPricer(const core::ModelSpec& model, const hw::HardwareSpec& hardware,
                  hw::Precision precision, hw::Parallelism parallelism, hw::HostTime host)
      : model_(model, hardware, precision, parallelism, host), cache_(model_) {}
  ModelStepPricer(const ModelStepPricer&) = delete;  // cache_ points at model_
  ModelStepPricer& operator=(const ModelStepPricer&) = delete;

  hw::StepTotals price(const hw::BatchShape& batch) const override {
    return cache_.totals(batch);
  }
  double peak_flops_per_s_group() const override { return model_.peak_flops_per_s_group(); }
  double hbm_bandwidth_bytes_per_s_group() const override { return model_.hbm_bandwidth_group(); }

 private:
  hw::StepTimeModel model_;
  /// mutable: price() fills it, which never changes what it returns.
  mutable hw::StepPriceCache cache_;
};

}  // namespace llmsim::sim
