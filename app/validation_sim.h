// Replaying one published static-batch row through the simulator (sim::Simulator), as a
// scenario: every request arrives at t = 0 with fixed isl/osl, max_num_seqs = batch, no
// chunked prefill, a token budget that admits the whole batch's prompts in one iteration.
#pragma once

#include <string>

#include "app/reference_rows.h"
#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/step_time_model.h"

namespace llmsim::app {

struct SimPrediction {
  double value = 0.0;  ///< in the row's metric unit
  std::string note;    ///< e.g. KV capacity limited the running batch
};

/// Throws core::InputError where the simulator does (e.g. the model does not fit). `host`:
/// the engine's CPU time per iteration.
SimPrediction predict_with_simulator(const ReferenceRow& row, const core::ModelSpec& model,
                                     const hw::HardwareSpec& hardware,
                                     const hw::Precision& precision, const hw::HostTime& host);

}  // namespace llmsim::app
