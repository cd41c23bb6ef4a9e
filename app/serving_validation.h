// Serving validation: published measurements of engines under load (data/reference/2026),
// each replayed as a scenario through the simulator with the engine that was measured.
#pragma once

#include <string>

namespace llmsim::app {

/// Replays every serving set under `dir` (data/reference/2026 by default) and prints, per
/// set, each published metric measured vs predicted, the median and the worst error, and
/// whether the set was used for calibration or only for validation. Throws core::InputError
/// on an unreadable or malformed reference file.
void run_serving_validation(const std::string& dir);

}  // namespace llmsim::app
