// StepPriceCache: an iteration's totals as StepTimeModel::price gives them, with the items of
// decode-only iterations kept by batch size (DESIGN.md section 3: a cache of prices, outside
// the model). It pays: about 10% of bench-100k's wall time (the commit that added it has
// the profile).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/iteration_work_model.h"
#include "hw/step_cost.h"
#include "hw/step_sum.h"
#include "hw/step_time_model.h"
#include "hw/work_item_list.h"

namespace llmsim::hw {

/// totals(batch) is model.price(batch)'s totals, bit for bit: the same items, priced by the
/// same price_item, summed by the same StepSum in the same order. In a decode-only batch
/// (BatchShape::decode_only) of B sequences without DSA indexer work (whose item grows with
/// the context: those batches are priced by the model) every item but the decode attention is a
/// function of B alone (IterationWorkModel::items' contract), so those are priced once per B
/// and kept; a decode step then costs its decode-attention item and the sums. Other batches are
/// priced by the model.
///
/// Not thread-safe (totals() fills the cache): one per simulator pool, which runs on a
/// single thread.
class StepPriceCache {
 public:
  /// Batch sizes below this are kept (an entry is about 1 KB); larger ones are priced
  /// directly.
  static constexpr std::int64_t kMaxBatchSize = std::int64_t{1} << 14;

  /// `model` must outlive the cache.
  explicit StepPriceCache(const StepTimeModel& model) : model_(&model) {}

  /// The model's price(batch)'s totals. Aborts where price does.
  StepTotals totals(const BatchShape& batch);

 private:
  /// The items of a decode-only batch of one size, priced; the decode attention's slot is
  /// repriced for every batch.
  struct DecodeOnly {
    WorkItemList work;
    PricedItemList priced;
    std::size_t decode_index = 0;  ///< the attention_decode item's position in `work`
    bool filled = false;
  };

  /// The kept items for `batch`'s size (decode-only, size < kMaxBatchSize), filled on first use.
  const DecodeOnly& decode_only(const BatchShape& batch);

  const StepTimeModel* model_;
  std::vector<DecodeOnly> by_batch_size_;  ///< grows on demand
};

inline StepTotals StepPriceCache::totals(const BatchShape& batch) {
  if (!batch.decode_only() || batch.decode_seqs >= kMaxBatchSize || !model_->parallelism().tensor_only() ||
      batch.has_indexer_work()) {
    return model_->price(batch);  // pipelined, expert-parallel and DSA steps are not kept
  }
  IterationWorkModel::check_batch(batch);
  const DecodeOnly& kept = decode_only(batch);
  StepSum sum;
  for (std::size_t i = 0; i < kept.work.size(); ++i) {
    if (i == kept.decode_index) {
      const WorkItem decode = model_->work_model().decode_attention_item(batch);
      sum.add(decode, model_->price_item(decode));
    } else {
      sum.add(kept.work[i], kept.priced[i]);
    }
  }
  return sum.totals(model_->gpu_fixed_s(), model_->host(), static_cast<double>(batch.decode_seqs),
                    model_->parallelism().gpus());
}

}  // namespace llmsim::hw
