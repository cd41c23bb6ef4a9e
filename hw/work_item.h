// WorkItem: one operator's work in one iteration, before any rate turns it into time
// (DESIGN.md section 3). The work model emits a list of them (hw/iteration_work_model.h);
// the step-time model prices each (hw/item_pricer.h); a calibration sample is one measured
// item (hw/profile_sample.h).
#pragma once

#include "hw/operator.h"

namespace llmsim::hw {

/// The work on ONE GPU of a replica. Parallelism is symmetric, so the replica's total is
/// Parallelism::gpus() times this. Every field is >= 0 (a -0.0 sum of an empty batch
/// included).
struct WorkItem {
  Operator op = Operator::gemm;
  double flops = 0.0;      ///< FLOPs this GPU executes (priced only where the operator counts them)
  double hbm_bytes = 0.0;  ///< HBM bytes this GPU reads plus writes
  double kernels = 0.0;    ///< kernel launches on this GPU; for a collective, its calls
  double blocks = 0.0;     ///< thread blocks with a fixed cost each (OperatorInfo::counts_blocks)
  /// Non-tensor lane instructions the item's kernels spend beside its FLOPs: the software
  /// dequantisation of weight-only GEMMs (hw/weight_dequant.h). Priced on the compute side at
  /// the GPU's non-tensor instruction rate; 0 for every other item.
  double alu_instructions = 0.0;
  // Collectives only (0 otherwise):
  double payload_bytes = 0.0;  ///< the tensor one call reduces or moves, bytes
  /// Bytes one call moves over each GPU's link, by the collective's algorithm: a ring
  /// all-reduce of p GPUs moves 2 (p-1)/p x payload (NCCL's "bus bandwidth",
  /// nccl-tests doc/PERFORMANCE.md).
  double link_bytes = 0.0;
  /// A collective across scale-up domains (hw/iteration_work_model.h): bytes one call moves
  /// over each GPU's scale-out link, and the inter-domain steps that each pay the
  /// scale-out latency. link_bytes is then the scale-up (intra-domain) part. 0 within a domain.
  double scale_out_link_bytes = 0.0;
  double scale_out_steps = 0.0;

  /// Whether the item does nothing at all (every field 0): priced at 0 s, it changes no sum.
  bool empty() const {
    return flops == 0.0 && hbm_bytes == 0.0 && kernels == 0.0 && blocks == 0.0 && alu_instructions == 0.0 &&
           payload_bytes == 0.0 && link_bytes == 0.0 &&
           scale_out_link_bytes == 0.0 && scale_out_steps == 0.0;
  }
};

}  // namespace llmsim::hw
