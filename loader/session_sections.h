// workload.sessions: a session trace or synthetic sessions (internal to loader/).
#pragma once

#include <string>

#include "loader/yaml_map.h"
#include "workloads/session_spec.h"

namespace llmsim::loader {

/// Reads workload.sessions, either
///   trace: {path: FILE, max_sessions: 0}        a session trace (docs/session-traces.md),
///                                                 read here, its errors naming the file's lines
/// or the synthetic keys
///   num_sessions (required), arrival (an open-loop process), turns, first_input_tokens,
///   input_tokens, output_tokens (length distributions), wait_ms (a length distribution read
///   as milliseconds), shared_prefix_tokens (>= 0, at most first_input_tokens' min).
/// Every synthetic distribution is required: the session shape is the experiment.
workloads::SessionSpec read_sessions(YamlMap& sessions, const std::string& base_dir);

}  // namespace llmsim::loader
