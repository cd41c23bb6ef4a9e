#include "sim/metrics/steady_state.h"

#include <algorithm>

namespace llmsim::sim {
namespace {

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerS = 1e9;

double mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (const double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

/// The median of `v` (sorted here), 0 when empty.
double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

nlohmann::ordered_json steady_state_section(std::vector<CompletedTimes> done, std::int64_t clients) {
  // Completion order in, arrival order out; ties keep completion order (deterministic).
  std::stable_sort(done.begin(), done.end(),
                   [](const CompletedTimes& a, const CompletedTimes& b) { return a.arrival_ns < b.arrival_ns; });
  const auto n = static_cast<std::int64_t>(done.size());
  if (n <= 2 * clients) return nullptr;
  std::vector<double> ttft_ms;
  std::vector<double> tpot_ms;
  TimeNs start = done[static_cast<std::size_t>(clients)].arrival_ns;
  TimeNs end = start;
  for (std::int64_t i = clients; i < n - clients; ++i) {
    const CompletedTimes& r = done[static_cast<std::size_t>(i)];
    start = std::min(start, r.arrival_ns);
    end = std::max(end, r.completion_ns);
    ttft_ms.push_back(static_cast<double>(r.first_token_ns - r.arrival_ns) / kNsPerMs);
    if (r.output_tokens > 1) {
      tpot_ms.push_back(static_cast<double>(r.completion_ns - r.first_token_ns) / kNsPerMs /
                        static_cast<double>(r.output_tokens - 1));
    }
  }
  // Tokens generated inside the window by every request, each request's tokens spread evenly
  // over its decode span (its first token at first_token_ns): warm-up and drain requests
  // count for the part of them that overlaps.
  double window_tokens = 0.0;
  for (const CompletedTimes& r : done) {
    if (r.first_token_ns >= start && r.first_token_ns <= end) window_tokens += 1.0;
    const TimeNs span = r.completion_ns - r.first_token_ns;
    if (span <= 0 || r.output_tokens <= 1) continue;
    const TimeNs overlap = std::min(end, r.completion_ns) - std::max(start, r.first_token_ns);
    if (overlap > 0) {
      window_tokens += static_cast<double>(r.output_tokens - 1) * static_cast<double>(overlap) / static_cast<double>(span);
    }
  }
  const double window_s = static_cast<double>(end - start) / kNsPerS;
  nlohmann::ordered_json s;
  s["requests"] = n - 2 * clients;
  s["window_s"] = window_s;
  s["output_throughput"] = window_s > 0.0 ? window_tokens / window_s : 0.0;
  s["mean_ttft_ms"] = mean(ttft_ms);
  s["median_ttft_ms"] = median(ttft_ms);
  s["mean_tpot_ms"] = mean(tpot_ms);
  s["median_tpot_ms"] = median(tpot_ms);
  return s;
}

}  // namespace llmsim::sim
