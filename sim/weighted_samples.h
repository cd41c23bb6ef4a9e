// WeightedSamples: a multiset of values with integer counts, and numpy-compatible
// statistics over it (vLLM's benchmark uses np.mean, np.median, np.std, np.percentile).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sim/relative_error_sketch.h"

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

  /// Precondition: count >= 0 (count 0 adds nothing). Inline: the common case (a latency
  /// in nanoseconds, with room in its store) is a store and a count.
  void add(double value, std::int64_t count = 1) {
    if (sketch_) {  // a long run's set: every value goes to the sketch
      add_sketched(value, count);
      return;
    }
    if (value >= kSmallIntegerLimit && entries_.size() + singles_.size() + 1 < next_compaction_) {
      if (count == 1 && singles_.size() < singles_.capacity()) {
        ++total_count_;
        singles_.push_back(value);
        return;
      }
      if (count > 1 && entries_.size() < entries_.capacity()) {
        total_count_ += count;
        entries_.emplace_back(value, count);
        return;
      }
    }
    add_any(value, count);
  }
  /// add(static_cast<double>(value)) for an integer sample (batch sizes, token counts),
  /// without the checks a double needs on the way to the counting array. Inline: the
  /// simulator adds two per iteration, nearly always to a value already counted.
  void add_integer(std::int64_t value) {
    const auto v = static_cast<std::uint64_t>(value);  // negative: huge, so not small
    if (v < small_counts_.size() && small_counts_[v] != 0 && !sketch_) {
      ++total_count_;
      ++small_counts_[v];
      return;
    }
    add_integer_first(value);
  }

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

  /// add() of a set not sketched (yet), every case but the inline one.
  void add_any(double value, std::int64_t count);

  /// add_integer() of a value not yet in the counting array (or of a sketched set).
  void add_integer_first(std::int64_t value);
  /// Adds `count` to small_counts_[value] (growing it), counting a new distinct value.
  void count_small(std::size_t value, std::int64_t count);
  /// Grows small_counts_ to `size` <= kSmallIntegerLimit counters, the new ones zero.
  void grow_small_counts(std::size_t size);
  /// Moves singles_ into entries_, then sorts and merges entries_; switches to the sketch
  /// past kExactDistinctValues.
  void fold();
  /// Moves singles_ into entries_ (count 1 each), unsorted.
  void move_singles_to_entries();
  /// Before a compaction: moves singles_ into entries_ when entries_ has an unsorted tail
  /// at least as long and room for them without growing (ITL gaps: a few gaps of batches
  /// of one among half a million weighted ones), so that they are sorted together and read
  /// back from one store. Never changes whether the set is sketched: the values stored
  /// stay as many.
  void join_singles_to_unsorted_entries();
  /// Sorts the unsorted tail of entries_ and merges equal values; switches to the sketch
  /// past kExactDistinctValues distinct values in entries_ and small_counts_.
  void compact_entries();
  void switch_to_sketch();
  /// add() of a sketched set: past kExactDistinctValues every sample comes here, in one
  /// call (the sketch's add and the sums inline in it), while add() stays small enough to
  /// be inlined into its callers.
  void add_sketched(double value, std::int64_t count);
  void add_to_sketch(double value, std::int64_t count) {
    sketch_->add(value, count);
    const auto c = static_cast<double>(count);
    sum_.add(value * c);
    sum_squares_.add(value * value * c);
  }
  /// Readies the exact statistics (entries_ and singles_ sorted); false when the set is,
  /// or now turns out to be, sketched.
  bool prepare_exact();
  /// Exact mode, after prepare_exact(): calls visit(value, count) for each distinct value
  /// in ascending order, counts of equal values summed.
  template <typename Visit>
  void visit_sorted(Visit&& visit) const;
  double sketch_percentile(double q) const;

  // Exact mode keeps three disjoint stores, read together in value order by visit_sorted:
  /// small_counts_[v]: count of the value v, for integers 0 <= v < small_counts_.size().
  std::vector<std::int64_t> small_counts_;
  std::int64_t small_distinct_ = 0;  ///< non-zero entries of small_counts_
  /// Other values added with a count above 1 (or folded in): sorted and merged up to
  /// compacted_size_.
  std::vector<Entry> entries_;
  std::vector<Entry> merged_;  ///< compact_entries()'s output buffer, kept for its capacity
  std::size_t compacted_size_ = 0;
  /// Other values added one at a time (latencies: one per request), 8 bytes each instead
  /// of an Entry's 16; sorted up to sorted_singles_.
  std::vector<double> singles_;
  std::size_t sorted_singles_ = 0;
  std::int64_t total_count_ = 0;
  /// entries_ and singles_ are folded together (equal values merged) once they hold
  /// kFirstCompaction values (address space reserved up to there),
  /// then each time they double: sets of up to a million values are sorted once, at the end.
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
