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
/// two attention rooflines and StepTimeModel::combine. A decode-only iteration (most of
/// them: BatchShape::decode_only) of B sequences costs less still: everything but its
/// decode attention is computed once per distinct B (StepTimeModel::decode_only_terms).
///
/// Not thread-safe: price() fills the tables. Use one per simulator, which is
/// single-threaded; threads that run simulators side by side each build their own.
class MemoisedStepPricer {
 public:
  /// Counts from 0 to kTableEntries - 1 are memoised; larger ones are priced directly,
  /// which bounds each table (a TokenTerms entry is about 100 bytes, a DecodeOnlyTerms one
  /// about 200).
  static constexpr std::size_t kTableEntries = std::size_t{1} << 16;

  explicit MemoisedStepPricer(StepTimeModel model) : model_(std::move(model)) {}

  /// model().price(batch), bit for bit. Inline: the decode-only lookup that hits, which
  /// prices most iterations; every other batch calls out.
  StepCost price(const BatchShape& batch);
  /// price(batch)'s totals, bit for bit. Inline as price(): a decode-only batch that hits
  /// costs its decode attention and sums, without the per-class times.
  StepTotals price_totals(const BatchShape& batch);

  const StepTimeModel& model() const { return model_; }

 private:
  /// The stored terms of a decode-only `batch`'s size (the lookup price() and
  /// price_totals() make inline), or nullptr: not decode-only, or not stored yet.
  const DecodeOnlyTerms* stored_decode_only_terms(const BatchShape& batch) const;
  /// price() of a batch the inline lookup did not price: a decode-only batch whose terms
  /// are not stored yet (stored now when its size is memoisable), or any other batch.
  StepCost price_other(const BatchShape& batch);
  /// Compute, store and return the terms of a memoisable count.
  const TokenTerms& fill_token_terms(std::int64_t tokens);
  const PricedOp& fill_head_terms(std::int64_t sampled);
  const DecodeOnlyTerms& fill_decode_only_terms(std::int64_t decode_seqs);

  StepTimeModel model_;
  std::vector<std::optional<TokenTerms>> token_terms_;  ///< by T; grows on demand
  std::vector<std::optional<PricedOp>> head_terms_;     ///< by sampled count; grows on demand
  /// by decode-only batch size B; grows on demand
  std::vector<std::optional<DecodeOnlyTerms>> decode_only_terms_;
};

inline const DecodeOnlyTerms* MemoisedStepPricer::stored_decode_only_terms(const BatchShape& batch) const {
  if (!batch.decode_only()) return nullptr;
  const auto seqs = static_cast<std::size_t>(batch.decode_seqs);  // > 0
  if (seqs >= decode_only_terms_.size() || !decode_only_terms_[seqs]) return nullptr;
  return &*decode_only_terms_[seqs];
}

inline StepCost MemoisedStepPricer::price(const BatchShape& batch) {
  if (const DecodeOnlyTerms* terms = stored_decode_only_terms(batch)) {
    return model_.price_decode_only(*terms, batch.decode_kv_tokens);
  }
  return price_other(batch);
}

inline StepTotals MemoisedStepPricer::price_totals(const BatchShape& batch) {
  if (const DecodeOnlyTerms* terms = stored_decode_only_terms(batch)) {
    return model_.price_decode_only_totals(*terms, batch.decode_kv_tokens);
  }
  return price_other(batch);  // its totals
}

}  // namespace llmsim::hw
