// format_run_header: the lines `llmsim run` prints above its summary table to say what was
// simulated (issue 26). Stdout only: none of it goes into summary.json, whose bytes depend
// on the scenario and seed alone (bar efficiency_label, which summary.json's pools also
// carry: it depends on the hardware preset alone).
#pragma once

#include <string>
#include <vector>

#include "sim/scenario.h"

namespace llmsim::sim {

/// What one pool's engine section identifies, in one line: the engine preset's id
/// (`engine.kind`, configs/engines/), the planner it runs (chunked prefill, whole prompts, or
/// TensorRT-LLM's in-flight batching), its KV admission rule and host time, and the settings
/// that shape its batches, e.g. "vllm-v1, chunked prefill, KV admission step_blocks, host
/// 2000 us/iteration overlapped, fcfs, max_num_seqs 1024, max_num_batched_tokens 8192,
/// block_size 16, prefix caching on, gpu_memory_utilization 0.9". The one place that names
/// an engine for people: a new engine kind or setting extends this function.
std::string engine_label(const EngineConfig& engine);

/// Where a hardware preset's operator efficiencies come from, read from the start of its
/// `efficiency.source` (configs/README.md, "Efficiency defaults"):
///  - "calibrated" (fitted by `llmsim calibrate` to measurements of that GPU): "" (nothing
///    to say);
///  - "carried over" (another GPU's calibration, INFERRED): "efficiencies carried over from
///    another GPU's calibration (INFERRED)";
///  - "documented defaults" (datasheet peaks and round efficiencies): "datasheet defaults, not
///    calibrated: an upper bound, not a prediction";
///  - anything else (a user's preset): "efficiencies as given, provenance not stated".
std::string efficiency_label(const std::string& efficiency_source);

/// The header, ending in a newline: the scenario as given on the command line (`scenario_file`)
/// with its `--set` overrides, then per pool the model and precision, hardware x tensor
/// parallel x replicas (with the router, or the pool whose GPUs it shares) and
/// engine_label; then the workload (how many requests or problems, and how they arrive)
/// and the seed. A single-pool scenario prints its pool without a pool name.
std::string format_run_header(const Scenario& scenario, const std::string& scenario_file,
                              const std::vector<std::string>& overrides);

}  // namespace llmsim::sim
