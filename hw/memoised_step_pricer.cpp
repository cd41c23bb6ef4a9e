#include "hw/memoised_step_pricer.h"

namespace llmsim::hw {
namespace {

/// Whether `count` has a slot in a table of MemoisedStepPricer::kTableEntries.
bool memoisable(std::int64_t count) {
  return count >= 0 && static_cast<std::size_t>(count) < MemoisedStepPricer::kTableEntries;
}

/// The filled slot for `index` in `table`, or nullptr when there is none yet.
template <typename Terms>
const Terms* filled_slot(const std::vector<std::optional<Terms>>& table, std::int64_t index) {
  const auto i = static_cast<std::size_t>(index);
  return i < table.size() && table[i] ? &*table[i] : nullptr;
}

/// The slot for `index` (memoisable) in `table`, which grows to reach it.
template <typename Terms>
std::optional<Terms>& slot(std::vector<std::optional<Terms>>& table, std::int64_t index) {
  const auto i = static_cast<std::size_t>(index);
  if (i >= table.size()) table.resize(i + 1);
  return table[i];
}

}  // namespace

StepCost MemoisedStepPricer::price_other(const BatchShape& batch) {
  if (batch.decode_only() && memoisable(batch.decode_seqs)) {
    return model_.price_decode_only(fill_decode_only_terms(batch.decode_seqs),
                                    batch.decode_kv_tokens);
  }
  if (batch.empty()) return StepCost{};
  const std::int64_t tokens = batch.total_new_tokens();
  if (!memoisable(tokens) || !memoisable(batch.sampled_seqs)) return model_.price(batch);
  // The lookups that hit (all but the first of each count) stay inline here; the misses
  // call out.
  const TokenTerms* token = filled_slot(token_terms_, tokens);
  const PricedOp* head = filled_slot(head_terms_, batch.sampled_seqs);
  return model_.combine(batch, token != nullptr ? *token : fill_token_terms(tokens),
                        head != nullptr ? *head : fill_head_terms(batch.sampled_seqs));
}

const TokenTerms& MemoisedStepPricer::fill_token_terms(std::int64_t tokens) {
  std::optional<TokenTerms>& terms = slot(token_terms_, tokens);
  terms = model_.token_terms(tokens);
  return *terms;
}

const PricedOp& MemoisedStepPricer::fill_head_terms(std::int64_t sampled) {
  std::optional<PricedOp>& terms = slot(head_terms_, sampled);
  terms = model_.head_terms(sampled);
  return *terms;
}

const DecodeOnlyTerms& MemoisedStepPricer::fill_decode_only_terms(std::int64_t decode_seqs) {
  std::optional<DecodeOnlyTerms>& terms = slot(decode_only_terms_, decode_seqs);
  terms = model_.decode_only_terms(decode_seqs);
  return *terms;
}

}  // namespace llmsim::hw
