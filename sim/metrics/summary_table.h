// format_summary_table: the human-readable printout of `llmsim run`, laid out like vLLM's
// serving-benchmark result so the two read side by side.
#pragma once

#include <optional>
#include <string>

#include "sim/cluster/run_result.h"

namespace llmsim::sim {

/// Reads result.summary (the schema of summary_builder.h) and returns a multi-line table
/// ending in a newline: requests, duration, throughputs, TTFT/TPOT/ITL/E2EL mean, median
/// and p99, then goodput, preemptions, prefix-cache hit rate, bound shares, MFU and KV use.
/// "Benchmark duration" (summary.json's `duration`) is simulated time; with `wall_time_s`
/// the seconds the run took on this machine are printed beside it (they never enter
/// summary.json, which must not depend on the machine).
std::string format_summary_table(const RunResult& result, std::optional<double> wall_time_s = std::nullopt);

}  // namespace llmsim::sim
