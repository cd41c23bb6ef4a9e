// Parallelism: how one replica of a model is split over its GPUs (DESIGN.md section 1,
// "Seams": a parallelism joins here, with the work items it adds).
#pragma once

namespace llmsim::hw {

/// Tensor parallelism only, for now: every layer is split Megatron-style over
/// tensor_parallel GPUs, with two all-reduces per layer (hw/iteration_work_model.h).
/// Pipeline, expert and attention-data parallelism will join as fields here, each with the
/// work items it adds (send/recv between stages, all-to-all for expert dispatch) priced on
/// the fabric by the same loop (hw/step_time_model.h).
struct Parallelism {
  int tensor_parallel = 1;  ///< GPUs each layer is split over, >= 1

  /// GPUs of one replica, the factor that turns one GPU's work into the replica's.
  int gpus() const { return tensor_parallel; }
};

}  // namespace llmsim::hw
