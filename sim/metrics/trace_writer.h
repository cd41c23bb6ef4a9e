// TraceWriter: a Chrome / Perfetto trace (trace-event JSON, "X" complete events) of one
// run's iterations per replica and of request lifetimes, for a bounded window of simulated
// time. Open the file in https://ui.perfetto.dev or chrome://tracing.
//
// Layout: pid = run-wide replica slot + 1 (named "replica R (pool P)"); tid 0 holds the
// replica's iterations, tids 1, 2, ... hold request lifetimes, each request on the lowest
// lane free at its arrival so that events on one lane never overlap. Under attention DP
// (DP ranks stepping in lockstep, sim/cluster/dp_group.h) tids 0..DP-1 hold the iterations
// of ranks 0..DP-1 ("rank D iterations"; a rank idle in a step has no event there) and the
// request lanes follow from tid DP. A request is one
// event "request ID" from arrival to completion with three nested phases: "queued"
// (arrival to first scheduling), "prefill" (to the first token), "decode" (to the last).
// ts and dur are microseconds (nanosecond integers printed with 3 decimals), so the text
// depends on simulated time only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/metrics/iteration_observer.h"
#include "sim/cluster/run_result.h"
#include "sim/scenario.h"

namespace llmsim::sim {

struct TraceOptions {
  workloads::TimeNs start_ns = 0;               ///< window start, simulated time
  workloads::TimeNs end_ns = 60'000'000'000;    ///< window end (>= start_ns)
  std::int64_t max_events = 100'000;  ///< at most this many iteration events, and as many request events
};

class TraceWriter final : public IterationObserver {
 public:
  TraceWriter(const Scenario& scenario, TraceOptions options);

  /// Keeps the iteration when it overlaps the window and the cap is not reached.
  void on_iteration_end(const IterationView& view) override;

  /// The trace: recorded iterations, then the completed requests of `result` whose
  /// lifetime overlaps the window (until the cap), as {"traceEvents": [...], ...}.
  std::string json_text(const RunResult& result) const;

 private:
  struct IterationEvent {
    std::int32_t slot = 0;
    std::int32_t dp_rank = 0;  ///< its track within the slot
    std::int64_t index = 0;
    workloads::TimeNs start_ns = 0;
    workloads::TimeNs end_ns = 0;
    std::int64_t seqs = 0;
    std::int64_t prefill_seqs = 0;
    std::int64_t prefill_tokens = 0;
    std::int64_t decode_seqs = 0;
    std::int64_t admitted = 0;
    std::int64_t preempted = 0;
    bool compute_bound = false;
  };

  bool overlaps(workloads::TimeNs start_ns, workloads::TimeNs end_ns) const;

  TraceOptions options_;
  std::vector<std::string> slot_names_;      ///< per run-wide replica slot
  std::vector<std::int32_t> slot_ranks_;     ///< attention-DP ranks per slot (1 without DP)
  std::vector<std::int32_t> first_slot_of_pool_;
  std::vector<IterationEvent> iterations_;
  bool iterations_truncated_ = false;
};

}  // namespace llmsim::sim
