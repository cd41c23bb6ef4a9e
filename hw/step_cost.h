// StepTotals and StepCost: the price of one iteration for the whole replica.
#pragma once

#include "hw/bound.h"
#include "hw/fixed_list.h"
#include "hw/operator.h"
#include "hw/priced_item.h"
#include "hw/work_item_list.h"

namespace llmsim::hw {

/// The totals of one iteration's price for the whole replica: what a simulator reads of it.
struct StepTotals {
  double time_s = 0.0;     ///< wall time of the iteration, seconds
  double flops = 0.0;      ///< FLOPs executed, summed over the replica's GPUs
  double hbm_bytes = 0.0;  ///< HBM bytes moved, summed over the replica's GPUs
  /// compute or memory: the side whose roofline items (compute-bound ones where
  /// compute_s >= memory_s) account for more roofline time; memory on a tie.
  Bound bound = Bound::memory;
};

using PricedItemList = FixedList<PricedItem, kMaxWorkItems>;

/// The totals and what they are made of: every item priced, in pricing order, and the fixed
/// per-iteration cost added after them.
struct StepCost : StepTotals {
  PricedItemList items;
  double overhead_s = 0.0;  ///< time_s minus the items' time: fixed GPU time and the host time not hidden, s

  /// The time of operator `op`'s items, seconds (0 when the iteration has none).
  double time_s_of(Operator op) const {
    double total = 0.0;
    for (const PricedItem& item : items) {
      if (item.op == op) total += item.time_s;
    }
    return total;
  }
  /// The priced item of `op`, or nullptr when the iteration has none.
  const PricedItem* item_of(Operator op) const {
    for (const PricedItem& item : items) {
      if (item.op == op) return &item;
    }
    return nullptr;
  }
};

}  // namespace llmsim::hw
