// RequestTotals: the summary's per-request aggregates, fed one request at a time.
#pragma once

#include <cstdint>

#include "sim/engine/request_record.h"
#include "sim/scenario.h"
#include "sim/metrics/weighted_samples.h"

namespace llmsim::sim {

/// Counts, token totals and latency distributions over requests. add() takes each request
/// once, when it is final: completed or rejected as it happens, unfinished ones when a run
/// stops early. The result depends only on the set of requests added, not on their order,
/// so a run can fold requests in as they finish and forget them (memory that does not grow
/// with requests). Latencies follow vLLM's benchmark (see summary_builder.h); times in ns.
struct RequestTotals {
  std::int64_t completed = 0;
  std::int64_t rejected = 0;
  std::int64_t unfinished = 0;
  std::int64_t input_tokens = 0;            ///< completed requests
  std::int64_t output_tokens = 0;           ///< completed requests
  std::int64_t generated_tokens = 0;        ///< every request
  std::int64_t admitted_prompt_tokens = 0;  ///< requests ever admitted
  std::int64_t cached_tokens = 0;
  std::int64_t rejected_by[4] = {0, 0, 0, 0};  ///< by RejectReason
  TimeNs last_completion_ns = 0;
  std::int64_t slo_met = 0;  ///< completed requests meeting every set target of the SLO
  WeightedSamples ttft_ns, tpot_ns, e2el_ns, queueing_ns;

  void add(const RequestRecord& record, const SloSpec& slo);
};

}  // namespace llmsim::sim
