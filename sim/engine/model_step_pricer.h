// ModelStepPricer: the production StepPricer, backed by hw::StepTimeModel.
#pragma once

#include <utility>

#include "core/model_spec.h"
#include "hw/cuda_graphs.h"
#include "hw/hardware_spec.h"
#include "hw/parallelism.h"
#include "hw/precision.h"
#include "hw/step_price_cache.h"
#include "hw/step_time_model.h"
#include "sim/engine/step_pricer.h"

namespace llmsim::sim {

/// Prices every iteration as hw::StepTimeModel::price does, through an hw::StepPriceCache
/// (bit for bit the same totals; decode steps cost their decode attention and the sums),
/// with the batch padded to the engine's CUDA-graph size first (`graphs`; none by default).
/// The padding of a decode-only batch depends on its size alone, as the cache requires.
class ModelStepPricer final : public StepPricer {
 public:
  /// Throws core::InputError where hw::StepTimeModel's constructor does.
  ModelStepPricer(const core::ModelSpec& model, const hw::HardwareSpec& hardware,
                  hw::Precision precision, hw::Parallelism parallelism, hw::HostTime host,
                  hw::CudaGraphPadding graphs = {})
      : model_(model, hardware, precision, parallelism, host), cache_(model_), graphs_(std::move(graphs)) {}
  ModelStepPricer(const ModelStepPricer&) = delete;  // cache_ points at model_
  ModelStepPricer& operator=(const ModelStepPricer&) = delete;

  hw::StepTotals price(const hw::BatchShape& batch) const override {
    if (graphs_.scope == hw::GraphPaddingScope::none) return cache_.totals(batch);
    hw::BatchShape padded = batch;
    padded.graph_padding_tokens = graphs_.padding_tokens(batch);
    return cache_.totals(padded);
  }
  double peak_flops_per_s_group() const override { return model_.peak_flops_per_s_group(); }
  double hbm_bandwidth_bytes_per_s_group() const override { return model_.hbm_bandwidth_group(); }

 private:
  hw::StepTimeModel model_;
  /// mutable: price() fills it, which never changes what it returns.
  mutable hw::StepPriceCache cache_;
  hw::CudaGraphPadding graphs_;
};

}  // namespace llmsim::sim
