#include "hw/work_item_list.h"

namespace llmsim::hw {

WorkItem work_of(const WorkItemList& items, Operator op) {
  WorkItem total{.op = op};
  for (const WorkItem& item : items) {
    if (item.op != op) continue;
    total.flops += item.flops;
    total.hbm_bytes += item.hbm_bytes;
    total.kernels += item.kernels;
    total.blocks += item.blocks;
    total.alu_instructions += item.alu_instructions;
    total.payload_bytes += item.payload_bytes;
    total.link_bytes += item.link_bytes;
    total.scale_out_link_bytes += item.scale_out_link_bytes;
    total.scale_out_steps += item.scale_out_steps;
  }
  return total;
}

}  // namespace llmsim::hw
