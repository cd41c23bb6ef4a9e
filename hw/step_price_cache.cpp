#include "hw/step_price_cache.h"

#include "core/invariant.h"
#include "hw/operator.h"

namespace llmsim::hw {

const StepPriceCache::DecodeOnly& StepPriceCache::decode_only(const BatchShape& batch) {
  const auto size = static_cast<std::size_t>(batch.decode_seqs);
  if (size >= by_batch_size_.size()) by_batch_size_.resize(size + 1);
  DecodeOnly& kept = by_batch_size_[size];
  if (kept.filled) return kept;
  kept.work = model_->work(batch);
  bool found = false;
  for (std::size_t i = 0; i < kept.work.size(); ++i) {
    kept.priced.push_back(model_->price_item(kept.work[i]));
    if (kept.work[i].op == Operator::attention_decode) {
      kept.decode_index = i;
      found = true;
    }
  }
  // A decode-only batch has decode sequences, so its decode attention launches kernels.
  core::check_invariant(found, "StepPriceCache: a decode-only batch has a decode-attention item");
  kept.filled = true;
  return kept;
}

}  // namespace llmsim::hw
