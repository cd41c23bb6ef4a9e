#include "sim/metrics/metrics_collector.h"

#include <algorithm>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {

MetricsCollector::MetricsCollector(std::vector<std::int64_t> kv_blocks, SloSpec slo)
    : kv_blocks_(std::move(kv_blocks)),
      kv_(kv_blocks_.size()),
      slot_sums_(kv_blocks_.size()),
      slo_(slo) {
  for (const std::int64_t blocks : kv_blocks_) {
    LLMSIM_CHECK(blocks >= 1, "every replica has at least one KV block");
  }
}

double MetricsCollector::kv_usage_max() const {
  // The largest ratio over time is the largest count's: dividing by a positive constant
  // keeps the order (and rounds the same number the same way).
  double usage_max = 0.0;
  for (std::size_t slot = 0; slot < kv_blocks_.size(); ++slot) {
    usage_max = std::max(usage_max, static_cast<double>(kv_[slot].max_allocated) /
                                        static_cast<double>(kv_blocks_[slot]));
  }
  return usage_max;
}

void MetricsCollector::on_waiting_change(std::int64_t delta) {
  waiting_now_ += delta;
  LLMSIM_CHECK(waiting_now_ >= 0, "the waiting count is never negative");
  max_waiting_ = std::max(max_waiting_, waiting_now_);
}

void MetricsCollector::finish(TimeNs horizon_ns) {
  LLMSIM_CHECK(!finished_, "metrics are finished once");
  finished_ = true;
  horizon_ns_ = horizon_ns;
  for (std::size_t slot = 0; slot < kv_blocks_.size(); ++slot) {
    on_kv_usage(static_cast<std::int32_t>(slot), horizon_ns, kv_[slot].last_allocated);
  }
}

double MetricsCollector::total(double SlotSums::*field) const {
  double sum = 0.0;
  for (const SlotSums& sums : slot_sums_) sum += sums.*field;
  return sum;
}

std::int64_t MetricsCollector::kv_blocks_total() const {
  std::int64_t total = 0;
  for (const std::int64_t blocks : kv_blocks_) total += blocks;
  return total;
}

double MetricsCollector::kv_usage_mean() const {
  if (horizon_ns_ <= 0 || kv_blocks_.empty()) return 0.0;
  double sum = 0.0;
  for (std::size_t slot = 0; slot < kv_blocks_.size(); ++slot) {
    sum += kv_[slot].block_ns /
           (static_cast<double>(kv_blocks_[slot]) * static_cast<double>(horizon_ns_));
  }
  return sum / static_cast<double>(kv_blocks_.size());
}

}  // namespace llmsim::sim
