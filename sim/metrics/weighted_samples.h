// WeightedSamples: a multiset of values with integer counts, and numpy-compatible
// statistics over it (vLLM's benchmark uses np.mean, np.median, np.std, np.percentile).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/metrics/relative_error_sketch.h"

namespace llmsim::sim {

/// mean, population standard deviation (numpy's ddof = 0) and percentiles of a sample set.
/// All zero for an empty set (vLLM reports 0 when it has no samples).
struct DistributionStats {
  std::int64_t count = 0;
  double mean = 0.0;
  double std = 0.0;
  double median = 0.0;
  double p90 = 0.0;
  double p95 = 0.0;
  double p99 = 0.0;
  double max = 0.0;
};

/// Statistics of value x count pairs in bounded memory.
///
/// Exact while the set holds at most kExactDistinctValues distinct values: equal values are
/// merged (small non-negative integers, such as batch sizes, in a counting array; others
/// periodically, by sorting), so storage grows with distinct values, not with samples, and
/// results equal those of the expanded list (each value repeated count times).
///
/// Past kExactDistinctValues distinct values (long runs: ITL gaps of tens of millions of
/// iterations, TTFT of millions of requests) every value goes to a RelativeErrorSketch:
/// percentiles (median, p90, p95, p99) are then within kSketchRelativeError of the exact
/// ones; count and max stay exact; mean and std come from compensated running sums (exact
/// up to floating-point rounding). Whether a set is sketched depends only on the multiset,
/// never on the order of add() calls, and so do all results (bar that rounding of mean/std).
class WeightedSamples {
 public:
  static constexpr std::int64_t kExactDistinctValues = std::int64_t{1} << 20;  // 1,048,576
  static constexpr double kSketchRelativeError = 0.005;
  /// Integers 0 <= v < this are counted in an array.
  static constexpr double kSmallIntegerLimit = 65536.0;

  /// Precondition: count >= 0 (count 0 adds nothing).
  void add(double value, std::int64_t count = 1);
  /// add(static_cast<double>(value)) for an integer sample (batch sizes, token counts).
  void add_integer(std::int64_t value);

  /// Total count.
  std::int64_t count() const { return total_count_; }

  /// numpy.percentile(expanded, q) with the default linear method: rank = q/100 x (n - 1),
  /// interpolated between the two closest ranks. Precondition: 0 <= q <= 100. 0 when empty.
  double percentile(double q);

  /// Every statistic. Deterministic: depends only on the multiset, not on insertion order.
  DistributionStats stats();

  /// Whether the statistics come from the sketch. Final once stats() was called after the
  /// last add().
  bool sketched() const { return sketch_.has_value(); }

 private:
  /// A double sum with Neumaier's compensation (sketch mode's mean and std).
  struct CompensatedSum {
    double sum = 0.0;
    double compensation = 0.0;
    void add(double x) {
      const double t = sum + x;
      if (std::abs(sum) >= std::abs(x)) {
        compensation += (sum - t) + x;
      } else {
        compensation += (x - t) + sum;
      }
      sum = t;
    }
    double value() const { return sum + compensation; }
  };
  using Entry = std::pair<double, std::int64_t>;

  /// Adds `count` to small_counts_[value] (growing it), counting a new distinct value.
  void count_small(std::size_t value, std::int64_t count);
  /// Sorts the unsorted tail of entries_ into the sorted head, equal values merged; switches
  /// to the sketch past kExactDistinctValues distinct values in entries_ and small_counts_.
  void compact();
  void switch_to_sketch();
  void add_to_sketch(double value, std::int64_t count);
  /// Exact mode, after compact(): calls visit(value, count) for each distinct value in
  /// ascending order, counts of equal values summed.
  template <typename Visit>
  void visit_sorted(Visit&& visit) const;
  double sketch_percentile(double q) const;

  // Exact mode keeps two disjoint stores, read together in value order by visit_sorted:
  /// small_counts_[v]: count of the value v, for integers 0 <= v < small_counts_.size().
  std::vector<std::int64_t> small_counts_;
  std::int64_t small_distinct_ = 0;  ///< non-zero entries of small_counts_
  /// Every other value with its count: sorted, distinct values up to sorted_size_, then
  /// the values added since the last compact().
  std::vector<Entry> entries_;
  std::size_t sorted_size_ = 0;
  std::int64_t total_count_ = 0;
  /// entries_ is compacted once it holds kFirstCompaction values, then each time it doubles
  /// from what a compaction leaves: sets of up to a million values are sorted once, at the end.
  static constexpr std::size_t kFirstCompaction = std::size_t{1} << 20;
  std::size_t next_compaction_ = kFirstCompaction;
  std::optional<RelativeErrorSketch> sketch_;
  CompensatedSum sum_;          ///< sketch mode: sum of value x count
  CompensatedSum sum_squares_;  ///< sketch mode: sum of value^2 x count
};

/// numpy's _lerp: a + (b - a) t, computed from b's side when t >= 0.5 (as numpy does, so
/// results match it bit for bit).
double numpy_lerp(double a, double b, double t);

}  // namespace llmsim::sim
