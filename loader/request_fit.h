// Checks that a synthetic or trace workload's requests fit the serving model's context window
// (max_position_embeddings), reading a trace workload's file once for that (internal to loader/).
#pragma once

#include "core/model_spec.h"
#include "loader/yaml_map.h"
#include "workloads/workload_spec.h"

namespace llmsim::loader {

/// `workload_map` is the scenario's workload section that `workload` was read from; `model`
/// serves the requests (the first pool's: requests of these kinds go there).
/// Trace: reads the file (workloads::read_trace, whose errors name the trace file, line and
/// column); fails at workload.trace.rate_scale when the replay would last kMaxTraceSpanS or
/// more; throws InputError(trace file, row line, input column) for the first row whose input +
/// output tokens exceed the model's context; keeps the rows in workload.trace->rows, so the
/// simulator does not read the file again.
/// Synthetic: fails at workload.input_tokens when even the shortest request the input and output
/// distributions can produce exceeds the context (every request would be rejected).
/// Other kinds are left alone (ttc_sections.cpp checks their context budget).
void check_requests_fit(YamlMap& workload_map, workloads::WorkloadSpec& workload, const core::ModelSpec& model);

}  // namespace llmsim::loader
