#include "sim/metrics/relative_error_sketch.h"

#include <algorithm>
#include <cmath>

#include "sim/check.h"

namespace llmsim::sim {

RelativeErrorSketch::RelativeErrorSketch(double relative_error)
    : relative_error_(relative_error),
      gamma_((1.0 + relative_error) / (1.0 - relative_error)),
      log_gamma_(std::log(gamma_)) {
  LLMSIM_CHECK(relative_error > 0.0 && relative_error < 1.0, "a sketch's relative error lies in (0, 1)");
}

void RelativeErrorSketch::add_to(std::vector<std::int64_t>& bins, std::int64_t& offset, std::int64_t bucket,
                                 std::int64_t count) {
  if (bins.empty()) {
    offset = bucket;
    bins.push_back(count);
    return;
  }
  if (bucket < offset) {
    bins.insert(bins.begin(), static_cast<std::size_t>(offset - bucket), 0);
    offset = bucket;
  } else if (bucket - offset >= static_cast<std::int64_t>(bins.size())) {
    bins.resize(static_cast<std::size_t>(bucket - offset + 1), 0);
  }
  bins[static_cast<std::size_t>(bucket - offset)] += count;
}

double RelativeErrorSketch::representative(std::int64_t bucket, bool negative) const {
  const double magnitude = 2.0 * std::exp(static_cast<double>(bucket) * log_gamma_) / (gamma_ + 1.0);
  return std::clamp(negative ? -magnitude : magnitude, min_, max_);
}

double RelativeErrorSketch::value_at(std::int64_t index) const {
  LLMSIM_CHECK(index >= 0 && index < count_, "a rank inside the sketch");
  if (index == 0) return min_;
  if (index == count_ - 1) return max_;
  std::int64_t seen = 0;
  for (std::size_t i = negative_.size(); i-- > 0;) {  // most negative first
    seen += negative_[i];
    if (index < seen) return representative(negative_offset_ + static_cast<std::int64_t>(i), true);
  }
  seen += zeros_;
  if (index < seen) return 0.0;
  for (std::size_t i = 0; i < positive_.size(); ++i) {
    seen += positive_[i];
    if (index < seen) return representative(positive_offset_ + static_cast<std::int64_t>(i), false);
  }
  return max_;
}

}  // namespace llmsim::sim
