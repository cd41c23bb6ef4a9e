// Whether a run's waiting queue stayed bounded (a rate one replica sustains) or grew for
// the whole run (a rate above its capacity, whose latencies grow with the run's length).
//
// Rule: split the admitted requests in arrival order into halves; the queue is stable when
//   mean queueing delay (second half) <= 2 x mean queueing delay (first half) + 50 ms.
// Why 2: a queue that grows linearly from empty gives halves whose mean delays are T/4 and
// 3T/4 of the same slope, a ratio of 3; a stationary queue gives a ratio near 1 (a little
// above, because the first requests find the system empty). The 50 ms floor is a few
// iterations of scheduling granularity, so that tiny delays (1 ms vs 3 ms) do not count.
// Requests never admitted (rejected, or unfinished when a run stops early) count as
// unstable when they are more than 1% of the requests.
#pragma once

#include <vector>

#include "sim/engine/request_record.h"

namespace llmsim::analysis {

struct QueueStability {
  bool stable = true;
  double first_half_mean_delay_ms = 0.0;
  double second_half_mean_delay_ms = 0.0;
  std::size_t never_admitted = 0;
};

QueueStability queue_stability(const std::vector<sim::RequestRecord>& requests);

}  // namespace llmsim::analysis
