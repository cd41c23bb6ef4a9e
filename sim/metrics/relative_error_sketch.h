// RelativeErrorSketch: quantiles of a large multiset in memory that grows with the log of
// the value range, not with samples (DDSketch, Masson, Rim and Lee, VLDB 2019).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/check.h"

namespace llmsim::sim {

/// Values are counted in logarithmic buckets: bucket i holds the values v with
/// gamma^(i-1) < |v| <= gamma^i, gamma = (1 + a) / (1 - a), a = relative_error, and stands
/// for them as 2 gamma^i / (gamma + 1), which is within a x |v| of each (clamped to the
/// exact minimum and maximum, which only brings it closer). Zero is counted exactly.
/// So the value at any rank, and numpy's linear interpolation between two ranks, is within
/// relative error a of the exact one. Deterministic: the state depends only on the
/// multiset added (bucket counts are integers), never on the order.
class RelativeErrorSketch {
 public:
  /// Precondition: 0 < relative_error < 1.
  explicit RelativeErrorSketch(double relative_error);

  /// Precondition: count >= 0; value finite. Inline: every sample of a long run's
  /// sketched set comes here.
  void add(double value, std::int64_t count = 1);

  double relative_error() const { return relative_error_; }
  std::int64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }

  /// The value at 0-based rank `index` of the expanded sorted multiset, within the
  /// relative error; the first and the last exactly (min, max). Precondition: 0 <= index < count().
  double value_at(std::int64_t index) const;

 private:
  /// Bucket index of |v| > 0: ceil(log(|v|) / log(gamma)).
  std::int64_t bucket_of(double magnitude) const {
    return static_cast<std::int64_t>(std::ceil(std::log(magnitude) / log_gamma_));
  }
  /// The value bucket i stands for, clamped to [min, max].
  double representative(std::int64_t bucket, bool negative) const;
  static void add_to(std::vector<std::int64_t>& bins, std::int64_t& offset, std::int64_t bucket,
                     std::int64_t count);

  double relative_error_;
  double gamma_;
  double log_gamma_;
  std::int64_t count_ = 0;
  std::int64_t zeros_ = 0;
  double min_ = 0.0;
  double max_ = 0.0;
  /// positive_[i - positive_offset_] counts bucket i of the positive values; likewise for
  /// the magnitudes of negative values.
  std::vector<std::int64_t> positive_;
  std::int64_t positive_offset_ = 0;
  std::vector<std::int64_t> negative_;
  std::int64_t negative_offset_ = 0;
};

inline void RelativeErrorSketch::add(double value, std::int64_t count) {
  LLMSIM_CHECK(count >= 0 && std::isfinite(value), "a sketch takes finite values, counts >= 0");
  if (count == 0) return;
  if (count_ == 0) {
    min_ = value;
    max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += count;
  if (value > 0.0) {
    const std::int64_t bucket = bucket_of(value);
    const std::int64_t i = bucket - positive_offset_;  // a bucket already counted, mostly
    if (i >= 0 && i < static_cast<std::int64_t>(positive_.size())) {
      positive_[static_cast<std::size_t>(i)] += count;
      return;
    }
    add_to(positive_, positive_offset_, bucket, count);
  } else if (value < 0.0) {
    add_to(negative_, negative_offset_, bucket_of(-value), count);
  } else {
    zeros_ += count;
  }
}

}  // namespace llmsim::sim
