// exercise_model_arithmetic: what `llmsim flops` and `llmsim memory` compute from a model,
// run by the model and config.json harnesses on every model their loader accepts, so that
// overflow or a broken invariant downstream of the loader shows up as a crash.
#pragma once

#include "core/model_spec.h"

namespace llmsim::fuzz {

/// Parameter counts, every FLOP method on a small query, the memory footprint and the largest
/// batch on an 80 GiB GPU. May throw core::InputError (a bad query is the caller's input).
void exercise_model_arithmetic(const core::ModelSpec& model);

}  // namespace llmsim::fuzz
