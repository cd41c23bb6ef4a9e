#include "sim/metrics/ttc_usage_recorder.h"

#include <utility>

#include "sim/check.h"

namespace llmsim::sim {

TtcUsageRecorder::TtcUsageRecorder(std::vector<int> tensor_parallel)
    : tensor_parallel_(std::move(tensor_parallel)),
      busy_gpu_seconds_(tensor_parallel_.size(), 0.0),
      prefill_tokens_pool_(tensor_parallel_.size(), 0),
      decode_tokens_pool_(tensor_parallel_.size(), 0),
      flops_pool_(tensor_parallel_.size(), 0.0) {}

void TtcUsageRecorder::on_iteration_end(const IterationView& view) {
  const IterationPlan& plan = *view.plan;
  const auto pool = static_cast<std::size_t>(view.pool);
  LLMSIM_CHECK(pool < tensor_parallel_.size(), "an iteration of a known pool");
  const double gpu_seconds =
      static_cast<double>(plan.end_ns - plan.start_ns) / 1e9 * static_cast<double>(tensor_parallel_[pool]);
  busy_gpu_seconds_[pool] += gpu_seconds;
  flops_pool_[pool] += plan.cost.flops;
  std::int64_t tokens = 0;
  for (const ScheduledSeq& s : plan.seqs) tokens += s.new_tokens;
  if (tokens <= 0) return;
  const double per_token = gpu_seconds / static_cast<double>(tokens);
  for (const ScheduledSeq& s : plan.seqs) {
    if (s.request >= gpu_seconds_.size()) {
      gpu_seconds_.resize(s.request + 1, 0.0);
      prefill_tokens_.resize(s.request + 1, 0);
    }
    gpu_seconds_[s.request] += per_token * static_cast<double>(s.new_tokens);
    if (s.decode) {
      decode_tokens_pool_[pool] += s.new_tokens;
    } else {
      prefill_tokens_[s.request] += s.new_tokens;
      prefill_tokens_pool_[pool] += s.new_tokens;
    }
  }
}

double TtcUsageRecorder::gpu_seconds(std::size_t request) const {
  return request < gpu_seconds_.size() ? gpu_seconds_[request] : 0.0;
}

std::int64_t TtcUsageRecorder::prefill_tokens(std::size_t request) const {
  return request < prefill_tokens_.size() ? prefill_tokens_[request] : 0;
}

}  // namespace llmsim::sim
