#include "sim/metrics/request_totals.h"

#include <algorithm>

namespace llmsim::sim {
namespace {

constexpr double kNsPerMs = 1e6;

bool meets_slo(const SloSpec& slo, double ttft_ms, double tpot_ms, double e2el_ms) {
  if (slo.ttft_ms && ttft_ms > *slo.ttft_ms) return false;
  if (slo.tpot_ms && tpot_ms > *slo.tpot_ms) return false;
  if (slo.e2el_ms && e2el_ms > *slo.e2el_ms) return false;
  return true;
}

}  // namespace

void RequestTotals::add(const RequestRecord& r, const SloSpec& slo) {
  generated_tokens += r.generated_tokens;
  if (r.scheduled_ns >= 0) {
    queueing_ns.add(static_cast<double>(r.scheduled_ns - r.arrival_ns));
    admitted_prompt_tokens += r.input_tokens;
    cached_tokens += r.cached_tokens;
  }
  switch (r.status) {
    case RequestStatus::unfinished:
      ++unfinished;
      break;
    case RequestStatus::rejected:
      ++rejected;
      ++rejected_by[static_cast<int>(r.reject_reason)];
      break;
    case RequestStatus::completed: {
      ++completed;
      input_tokens += r.input_tokens;
      output_tokens += r.output_tokens;
      last_completion_ns = std::max(last_completion_ns, r.completion_ns);
      const auto ttft = static_cast<double>(r.first_token_ns - r.arrival_ns);
      const auto e2el = static_cast<double>(r.completion_ns - r.arrival_ns);
      ttft_ns.add(ttft);
      e2el_ns.add(e2el);
      double tpot = 0.0;
      if (r.output_tokens > 1) {
        tpot = (e2el - ttft) / static_cast<double>(r.output_tokens - 1);
        tpot_ns.add(tpot);
      }
      if (meets_slo(slo, ttft / kNsPerMs, tpot / kNsPerMs, e2el / kNsPerMs)) ++slo_met;
      break;
    }
  }
}

}  // namespace llmsim::sim
