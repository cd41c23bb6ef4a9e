// ProfileSample: one measured operator time with the work behind it, the unit that
// calibration (hw/efficiency_fit.h) fits against and reports residuals on.
#pragma once

#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "hw/work_item.h"

namespace llmsim::hw {

/// A measured work item: its predicted time is the step-time model's price of `work`
/// (hw/item_pricer.h) at the efficiencies of operator work.op, with the compute peak of
/// `weights` for a GEMM and the 16-bit peak otherwise.
struct ProfileSample {
  /// The measured work on one GPU (one rank of the tensor-parallel group). work.op names
  /// the operator whose efficiencies the measurement informs; work.kernels counts the
  /// kernel launches (or collective calls) the time includes.
  WorkItem work;
  std::string name;    ///< the measured kernel as its profile names it, e.g. "qkv_proj", "all_reduce"
  std::string source;  ///< the file it came from
  std::string model;   ///< the model it measures (or "" for collectives)
  int tensor_parallel = 1;      ///< GPUs the operator is split over (NCCL: workers)
  std::int64_t tokens = 0;      ///< tokens in the batch (GEMM, elementwise, prefill); sequences (decode); bytes (all-reduce)
  std::int64_t context = 0;     ///< cached tokens per sequence (attention), else 0
  std::int64_t groups = 0;      ///< experts of a grouped-GEMM benchmark row (tokens = rows each), else 0
  core::DType weights = core::DType::bf16;  ///< GEMMs run at gemm_compute_dtype(hardware, weights); attention at the 16-bit peak
  double measured_s = 0.0;      ///< measured time, seconds, > 0
};

}  // namespace llmsim::hw
