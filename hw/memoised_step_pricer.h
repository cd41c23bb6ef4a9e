// MemoisedStepPricer: StepTimeModel::price with the terms that depend on one integer
// looked up in tables filled on first use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "hw/step_time_model.h"

namespace llmsim::hw {

/// Prices iterations bit for bit as StepTimeModel::price does, but computes the token
/// terms (gemm, elementwise, allreduce: functions of total new tokens T) once per distinct
/// T and the LM-head terms once per distinct sampled count, so an iteration costs only its
/// two attention rooflines and StepTimeModel::combine.
///
/// Not thread-safe: price() fills the tables. Use one per simulator, which is
/// single-threaded; threads that run simulators side by side each build their own.
class MemoisedStepPricer {
 public:
  /// Counts from 0 to kTableEntries - 1 are memoised; larger ones are priced directly,
  /// which bounds each table (a TokenTerms entry is about 100 bytes).
  static constexpr std::size_t kTableEntries = std::size_t{1} << 16;

  explicit MemoisedStepPricer(StepTimeModel model) : model_(std::move(model)) {}

  /// model().price(batch), bit for bit.
  StepCost price(const BatchShape& batch);

  const StepTimeModel& model() const { return model_; }

 private:
  /// Compute, store and return the terms of a memoisable count.
  const TokenTerms& fill_token_terms(std::int64_t tokens);
  const PricedOp& fill_head_terms(std::int64_t sampled);

  StepTimeModel model_;
  std::vector<std::optional<TokenTerms>> token_terms_;  ///< by T; grows on demand
  std::vector<std::optional<PricedOp>> head_terms_;     ///< by sampled count; grows on demand
};

}  // namespace llmsim::hw
