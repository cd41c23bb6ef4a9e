// WorkItemList: the work items of one iteration, in pricing order.
#pragma once

#include <cstddef>

#include "hw/fixed_list.h"
#include "hw/operator.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// Room for every item one iteration emits: one per operator today; layer groups and
/// parallelisms that add items (per-group attention, send/recv, all-to-all) have headroom.
inline constexpr std::size_t kMaxWorkItems = 2 * kNumOperators;

using WorkItemList = FixedList<WorkItem, kMaxWorkItems>;

/// The work of operator `op` in `items`: its item's fields summed in list order (an empty
/// item of `op` when it has none).
WorkItem work_of(const WorkItemList& items, Operator op);

}  // namespace llmsim::hw
