// The steady-state window of a closed-loop run: what closed-loop benchmarks report (genai-perf's
// measurement window, `vllm bench serve --max-concurrency` once every client is busy) beside
// the whole-run figures, with the warm-up and the drain left out.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

#include "sim/engine/request_record.h"

namespace llmsim::sim {

/// What the window needs of one completed request.
struct CompletedTimes {
  TimeNs arrival_ns = 0;
  TimeNs first_token_ns = 0;
  TimeNs completion_ns = 0;
  std::int64_t output_tokens = 0;
};

/// Over the completed requests, ordered by arrival, the first `clients` (issued together into
/// an empty engine: the warm-up) and the last `clients` (finishing while fewer clients remain:
/// the drain) are left out. For the rest: their count, the window from the first one's arrival
/// to the last one's completion (s), the output tokens every request generated inside the
/// window over its length (tok/s; a request's tokens spread evenly over its decode span), and
/// mean and median TTFT and TPOT (ms; TPOT over requests with more than one output token).
/// Null when fewer than one request remains.
nlohmann::ordered_json steady_state_section(std::vector<CompletedTimes> completed, std::int64_t clients);

}  // namespace llmsim::sim
