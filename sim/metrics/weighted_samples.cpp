#include "sim/metrics/weighted_samples.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

bool small_integer(double value) {
  if (!(value >= 0.0 && value < WeightedSamples::kSmallIntegerLimit) || std::signbit(value)) return false;
  return static_cast<double>(static_cast<std::int64_t>(value)) == value;  // in range: exact cast
}

using Entry = std::pair<double, std::int64_t>;

constexpr auto by_value = [](const Entry& a, const Entry& b) { return a.first < b.first; };

/// Sorts `entries` by value. Sets of thousands of non-negative values (latencies; ITL gaps,
/// half a million per 100k requests) are sorted by LSD radix passes over bytes of a key,
/// four times faster than std::sort here (bench-100k: 14 ms against 65 ms): the key of a
/// value is the value itself when every value is an integer below 2^53, else its bit
/// pattern (which orders like the value for non-negative doubles); the bytes below the
/// lowest and above the highest bit that differs between keys get no pass. Others:
/// std::stable_sort.
void sort_by_value(std::span<Entry> entries) {
  constexpr std::size_t kRadixMinSize = 2048;
  constexpr double kTwoTo53 = 9007199254740992.0;
  const auto by_comparison = [entries] { std::stable_sort(entries.begin(), entries.end(), by_value); };
  if (entries.size() < kRadixMinSize) return by_comparison();
  bool integers = true;
  for (const Entry& entry : entries) {
    if (std::signbit(entry.first) || std::isnan(entry.first)) return by_comparison();  // negative, -0.0, NaN
    integers = integers && entry.first < kTwoTo53 &&
               static_cast<double>(static_cast<std::int64_t>(entry.first)) == entry.first;
  }
  const auto key = [integers](double value) {
    return integers ? static_cast<std::uint64_t>(static_cast<std::int64_t>(value)) : std::bit_cast<std::uint64_t>(value);
  };
  std::uint64_t keys_or = 0;
  std::uint64_t keys_and = ~std::uint64_t{0};
  for (const Entry& entry : entries) {
    keys_or |= key(entry.first);
    keys_and &= key(entry.first);
  }
  const std::uint64_t varying = keys_or ^ keys_and;
  if (varying == 0) return;  // all equal
  std::vector<Entry> scratch(entries.size());
  std::span<Entry> from = entries;
  std::span<Entry> to(scratch);
  std::array<std::size_t, 256> offsets{};
  for (int shift = std::countr_zero(varying) / 8 * 8; shift < 64 - std::countl_zero(varying); shift += 8) {
    const auto digit = [&key, shift](const Entry& entry) { return (key(entry.first) >> shift) & 0xff; };
    offsets.fill(0);
    for (const Entry& entry : from) ++offsets[digit(entry)];
    std::size_t sum = 0;
    for (std::size_t& offset : offsets) sum += std::exchange(offset, sum);
    for (const Entry& entry : from) to[offsets[digit(entry)]++] = entry;
    std::swap(from, to);
  }
  if (from.data() != entries.data()) std::copy(from.begin(), from.end(), entries.begin());
}

/// Merges runs of equal values of sorted `entries` into their first, counts summed.
void merge_equal(std::vector<Entry>& entries) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (out > 0 && entries[out - 1].first == entries[i].first) {
      entries[out - 1].second += entries[i].second;
    } else {
      entries[out++] = entries[i];
    }
  }
  entries.resize(out);
}

}  // namespace

double numpy_lerp(double a, double b, double t) {
  const double diff = b - a;
  if (t >= 0.5) return b - diff * (1.0 - t);
  return a + diff * t;
}

void WeightedSamples::add(double value, std::int64_t count) {
  LLMSIM_CHECK(count >= 0, "sample counts are non-negative");
  if (count == 0) return;
  total_count_ += count;
  if (sketch_) {  // a long run's set: every value goes to the sketch
    add_to_sketch(value, count);
    return;
  }
  if (small_integer(value)) {
    count_small(static_cast<std::size_t>(value), count);
    return;
  }
  // Address space up to the first compaction at once (pages are taken as they fill): no
  // copy of the whole set each time a growing vector doubles.
  if (entries_.capacity() == 0) entries_.reserve(kFirstCompaction);
  entries_.emplace_back(value, count);
  if (entries_.size() >= next_compaction_) {
    compact();
    next_compaction_ = std::max(kFirstCompaction, 2 * entries_.size());
  }
}

void WeightedSamples::add_integer(std::int64_t value) {
  if (sketch_ || value < 0 || value >= static_cast<std::int64_t>(kSmallIntegerLimit)) {
    add(static_cast<double>(value));
    return;
  }
  ++total_count_;
  count_small(static_cast<std::size_t>(value), 1);
}

void WeightedSamples::count_small(std::size_t value, std::int64_t count) {
  if (value >= small_counts_.size()) small_counts_.resize(value + 1);  // new counters are 0
  if (small_counts_[value] == 0) ++small_distinct_;
  small_counts_[value] += count;
}

void WeightedSamples::compact() {
  if (sketch_ || sorted_size_ == entries_.size()) return;
  const auto head_end = entries_.begin() + static_cast<std::ptrdiff_t>(sorted_size_);
  sort_by_value(std::span<Entry>(entries_).subspan(sorted_size_));
  std::inplace_merge(entries_.begin(), head_end, entries_.end(), by_value);
  merge_equal(entries_);
  sorted_size_ = entries_.size();
  if (static_cast<std::int64_t>(sorted_size_) + small_distinct_ > kExactDistinctValues) switch_to_sketch();
}

void WeightedSamples::add_to_sketch(double value, std::int64_t count) {
  sketch_->add(value, count);
  const auto c = static_cast<double>(count);
  sum_.add(value * c);
  sum_squares_.add(value * value * c);
}

void WeightedSamples::switch_to_sketch() {
  sketch_.emplace(kSketchRelativeError);
  for (std::size_t v = 0; v < small_counts_.size(); ++v) {
    if (small_counts_[v] > 0) add_to_sketch(static_cast<double>(v), small_counts_[v]);
  }
  for (const auto& [value, count] : entries_) add_to_sketch(value, count);
  std::vector<std::int64_t>().swap(small_counts_);
  std::vector<Entry>().swap(entries_);
  small_distinct_ = 0;
  sorted_size_ = 0;
}

template <typename Visit>
void WeightedSamples::visit_sorted(Visit&& visit) const {
  // entries_ holds no small integer (bar -0.0, which small_integer() refuses: it follows the
  // small 0, as it would in one sorted list of both stores).
  std::size_t small = 0;
  const auto visit_small_up_to = [&](double limit) {
    for (; small < small_counts_.size() && static_cast<double>(small) <= limit; ++small) {
      if (small_counts_[small] != 0) visit(static_cast<double>(small), small_counts_[small]);
    }
  };
  for (const auto& [value, count] : entries_) {
    visit_small_up_to(value);
    visit(value, count);
  }
  visit_small_up_to(std::numeric_limits<double>::infinity());
}

namespace {

/// numpy's linear percentile q of n values: rank = q/100 x (n - 1), the value at rank
/// `lower` interpolated towards the one at `upper` by `fraction` (numpy_lerp).
struct NumpyRanks {
  std::int64_t lower;
  std::int64_t upper;
  double fraction;
};
NumpyRanks numpy_ranks(double q, std::int64_t n) {
  const double rank = (q / 100.0) * static_cast<double>(n - 1);
  const double below = std::floor(rank);
  const auto lower = static_cast<std::int64_t>(below);
  return NumpyRanks{lower, std::min(lower + 1, n - 1), rank - below};
}

/// numpy percentiles at N quantiles, fed the sorted values one distinct value at a time.
template <std::size_t N>
class PercentileFinder {
 public:
  PercentileFinder(const std::array<double, N>& qs, std::int64_t total) {
    for (std::size_t q = 0; q < N; ++q) {
      const NumpyRanks ranks = numpy_ranks(qs[q], total);
      needs_[2 * q] = Need{ranks.lower, 2 * q};
      needs_[2 * q + 1] = Need{ranks.upper, 2 * q + 1};
      fraction_[q] = ranks.fraction;
    }
    std::sort(needs_.begin(), needs_.end(),
              [](const Need& a, const Need& b) { return a.rank < b.rank; });
    next_rank_ = needs_.front().rank;
  }

  /// The next distinct value in ascending order and its count. Inline: called for every
  /// distinct value, nearly always below the next rank needed.
  void see(double value, std::int64_t count) {
    seen_ += count;
    if (next_rank_ < seen_) take(value);
  }

  /// Valid once every value was seen.
  std::array<double, N> result() const {
    LLMSIM_CHECK(next_ == needs_.size(), "every rank lies below the total count");
    std::array<double, N> out{};
    for (std::size_t q = 0; q < N; ++q) {
      out[q] = numpy_lerp(values_[2 * q], values_[2 * q + 1], fraction_[q]);
    }
    return out;
  }

 private:
  struct Need {
    std::int64_t rank;
    std::size_t slot;  // 2 q-index (+1 for the upper rank)
  };
  /// Takes `value` for every rank needed below seen_ (the ranks it covers).
  void take(double value) {
    while (next_ < needs_.size() && needs_[next_].rank < seen_) values_[needs_[next_++].slot] = value;
    next_rank_ = next_ < needs_.size() ? needs_[next_].rank : std::numeric_limits<std::int64_t>::max();
  }

  std::array<Need, 2 * N> needs_{};
  std::array<double, N> fraction_{};
  std::array<double, 2 * N> values_{};
  std::size_t next_ = 0;
  std::int64_t next_rank_ = 0;  ///< needs_[next_].rank (the largest int64 once all are met)
  std::int64_t seen_ = 0;
};

}  // namespace

double WeightedSamples::sketch_percentile(double q) const {
  const NumpyRanks ranks = numpy_ranks(q, total_count_);
  return numpy_lerp(sketch_->value_at(ranks.lower), sketch_->value_at(ranks.upper),
                    ranks.fraction);
}

double WeightedSamples::percentile(double q) {
  LLMSIM_CHECK(q >= 0.0 && q <= 100.0, "percentiles lie in [0, 100]");
  if (total_count_ == 0) return 0.0;
  compact();
  if (sketch_) return sketch_percentile(q);
  PercentileFinder<1> finder(std::array<double, 1>{q}, total_count_);
  visit_sorted([&finder](double value, std::int64_t count) { finder.see(value, count); });
  return finder.result()[0];
}

DistributionStats WeightedSamples::stats() {
  DistributionStats s;
  s.count = total_count_;
  if (total_count_ == 0) return s;
  const auto n = static_cast<double>(total_count_);
  compact();
  if (sketch_) {
    s.mean = sum_.value() / n;
    s.std = std::sqrt(std::max(0.0, sum_squares_.value() / n - s.mean * s.mean));
    s.median = sketch_percentile(50.0);
    s.p90 = sketch_percentile(90.0);
    s.p95 = sketch_percentile(95.0);
    s.p99 = sketch_percentile(99.0);
    s.max = sketch_->max();
    return s;
  }
  // Two passes over the sorted values: the sum, the maximum and the percentiles, then the
  // squared deviations from the mean (numpy's two-pass std).
  double sum = 0.0;
  PercentileFinder<4> finder(std::array<double, 4>{50.0, 90.0, 95.0, 99.0}, total_count_);
  visit_sorted([&](double value, std::int64_t count) {
    sum += value * static_cast<double>(count);
    finder.see(value, count);
    s.max = value;  // the last value visited is the largest
  });
  s.mean = sum / n;
  double squares = 0.0;
  visit_sorted([&](double value, std::int64_t count) {
    const double d = value - s.mean;
    squares += d * d * static_cast<double>(count);
  });
  s.std = std::sqrt(squares / n);
  const std::array<double, 4> p = finder.result();
  s.median = p[0];
  s.p90 = p[1];
  s.p95 = p[2];
  s.p99 = p[3];
  return s;
}

}  // namespace llmsim::sim
