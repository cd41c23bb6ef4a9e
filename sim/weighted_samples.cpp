#include "sim/weighted_samples.h"

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

using Entry = std::pair<double, std::int64_t>;

double value_of(double value) { return value; }
double value_of(const Entry& entry) { return entry.first; }

/// One LSD radix pass per kDigitBits-bit digit of the key, over the digits where keys
/// differ; the digit histograms all come from one read of `items`. kIntegerKeys: every
/// value is an integer below 2^53 and the key is the value itself, else its bit pattern
/// (which orders like the value for non-negative doubles).
constexpr int kDigitBits = 11;
constexpr std::size_t kDigitValues = std::size_t{1} << kDigitBits;

template <bool kIntegerKeys, typename Item>
void radix_sort(std::span<Item> items, std::vector<Item>& scratch, std::uint64_t varying) {
  const auto key = [](const Item& item) {
    const double value = value_of(item);
    // Through int64 (exact below 2^53): one instruction, where a double to uint64
    // conversion takes a branch and several.
    return kIntegerKeys ? static_cast<std::uint64_t>(static_cast<std::int64_t>(value))
                        : std::bit_cast<std::uint64_t>(value);
  };
  constexpr std::uint64_t kDigitMask = kDigitValues - 1;
  const int low = std::countr_zero(varying);
  const int high = 63 - std::countl_zero(varying);
  const int digit_count = (high - low) / kDigitBits + 1;
  const auto digits = static_cast<std::size_t>(digit_count);
  constexpr std::size_t kMaxDigits = (64 + kDigitBits - 1) / kDigitBits;
  std::array<std::array<std::uint32_t, kDigitValues>, kMaxDigits> counts{};
  for (const Item& item : items) {
    const std::uint64_t k = key(item) >> low;
    for (std::size_t d = 0; d < digits; ++d) ++counts[d][(k >> (kDigitBits * d)) & kDigitMask];
  }
  if (scratch.size() < items.size()) scratch.resize(items.size());
  // Passes alternate between the two buffers; the result may end in scratch.
  std::span<Item> from = items;
  std::span<Item> to(scratch.data(), items.size());
  for (std::size_t d = 0; d < digits; ++d) {
    const int shift = low + kDigitBits * static_cast<int>(d);
    std::array<std::uint32_t, kDigitValues>& offsets = counts[d];
    if (offsets[(key(from.front()) >> shift) & kDigitMask] == items.size()) continue;  // one digit
    std::uint32_t sum = 0;
    for (std::uint32_t& slot : offsets) sum += std::exchange(slot, sum);
    for (const Item& item : from) to[offsets[(key(item) >> shift) & kDigitMask]++] = item;
    std::swap(from, to);
  }
  if (from.data() != items.data()) std::copy(from.begin(), from.end(), items.begin());
}

/// Sorts items by value, stably (equal values are merged afterwards, so the result does
/// not depend on how). Large sets of non-negative values (ITL gaps, latencies: mostly
/// distinct) go through radix_sort: three or four passes for nanosecond latencies instead
/// of O(n log n) comparisons. `scratch` is its second buffer.
template <typename Item>
void sort_by_value(std::span<Item> items, std::vector<Item>& scratch) {
  const auto by_value = [](const Item& a, const Item& b) { return value_of(a) < value_of(b); };
  if (items.size() < 2048 || items.size() > std::numeric_limits<std::uint32_t>::max()) {
    std::stable_sort(items.begin(), items.end(), by_value);
    return;
  }
  constexpr double kTwoTo53 = 9007199254740992.0;
  bool integers = true;
  std::uint64_t integer_or = 0;
  std::uint64_t integer_and = ~std::uint64_t{0};
  std::uint64_t bits_or = 0;
  std::uint64_t bits_and = ~std::uint64_t{0};
  for (const Item& item : items) {
    const double value = value_of(item);
    if (!(value >= 0.0) || std::signbit(value)) {
      std::stable_sort(items.begin(), items.end(), by_value);
      return;
    }
    const auto bits = std::bit_cast<std::uint64_t>(value);
    bits_or |= bits;
    bits_and &= bits;
    if (integers && value < kTwoTo53 &&
        static_cast<double>(static_cast<std::int64_t>(value)) == value) {
      integer_or |= static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
      integer_and &= static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
    } else {
      integers = false;
    }
  }
  if (integers) {
    if (integer_or != integer_and) radix_sort<true>(items, scratch, integer_or ^ integer_and);
  } else if (bits_or != bits_and) {
    radix_sort<false>(items, scratch, bits_or ^ bits_and);
  }
}

/// sort_by_value with one radix buffer per thread and item type, shared by every set: a
/// run sorts its sets one after the other, so they need not each fault in a buffer.
template <typename Item>
void sort_by_value(std::span<Item> items) {
  static thread_local std::vector<Item> scratch;
  sort_by_value(items, scratch);
}

bool small_integer(double value) {
  if (!(value >= 0.0 && value < WeightedSamples::kSmallIntegerLimit) || std::signbit(value)) return false;
  return static_cast<double>(static_cast<std::int64_t>(value)) == value;  // in range: exact cast
}

}  // namespace

double numpy_lerp(double a, double b, double t) {
  const double diff = b - a;
  if (t >= 0.5) return b - diff * (1.0 - t);
  return a + diff * t;
}

void WeightedSamples::CompensatedSum::add(double x) {
  const double t = sum + x;
  if (std::abs(sum) >= std::abs(x)) {
    compensation += (sum - t) + x;
  } else {
    compensation += (x - t) + sum;
  }
  sum = t;
}

void WeightedSamples::add_any(double value, std::int64_t count) {
  LLMSIM_CHECK(count >= 0, "sample counts are non-negative");
  if (count == 0) return;
  total_count_ += count;
  if (sketch_) {
    add_to_sketch(value, count);
    return;
  }
  if (small_integer(value)) {
    count_small(static_cast<std::size_t>(value), count);
    return;
  }
  // Room up to the first compaction at once: address space only (pages are faulted in as
  // they fill), and no copy of the whole set each time a growing vector doubles.
  if (count == 1) {
    if (singles_.capacity() == 0) singles_.reserve(kFirstCompaction);
    singles_.push_back(value);
  } else {
    if (entries_.capacity() == 0) entries_.reserve(kFirstCompaction);
    entries_.emplace_back(value, count);
  }
  if (entries_.size() + singles_.size() >= next_compaction_) {
    fold();
    next_compaction_ = std::max(kFirstCompaction, 2 * entries_.size());
  }
}

void WeightedSamples::add_integer_first(std::int64_t value) {
  const auto v = static_cast<std::uint64_t>(value);  // negative: huge, so not small
  if (sketch_ || v >= static_cast<std::uint64_t>(kSmallIntegerLimit)) {
    add(static_cast<double>(value));
    return;
  }
  ++total_count_;
  count_small(static_cast<std::size_t>(v), 1);
}

void WeightedSamples::count_small(std::size_t value, std::int64_t count) {
  if (value >= small_counts_.size()) small_counts_.resize(std::max(value + 1, 2 * small_counts_.size()), 0);
  if (small_counts_[value] == 0) ++small_distinct_;
  small_counts_[value] += count;
}

void WeightedSamples::fold() {
  if (sketch_) return;
  for (const double value : singles_) entries_.emplace_back(value, 1);
  singles_.clear();
  sorted_singles_ = 0;
  compact_entries();
}

void WeightedSamples::compact_entries() {
  if (sketch_ || compacted_size_ == entries_.size()) return;
  // The tail added since the last compaction is sorted in place, then merged with the
  // sorted head into merged_, which becomes entries_. The buffers keep their capacity from
  // one compaction to the next, so a long run does not fault in fresh pages every time.
  const auto head_end = entries_.begin() + static_cast<std::ptrdiff_t>(compacted_size_);
  sort_by_value(std::span<Entry>(head_end, entries_.end()));
  if (compacted_size_ > 0) {  // else the whole set was the tail, sorted in place
    merged_.resize(entries_.size());
    std::merge(entries_.begin(), head_end, head_end, entries_.end(), merged_.begin(),
               [](const Entry& a, const Entry& b) { return a.first < b.first; });
    entries_.swap(merged_);
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (out > 0 && entries_[out - 1].first == entries_[i].first) {
      entries_[out - 1].second += entries_[i].second;
    } else {
      entries_[out++] = entries_[i];
    }
  }
  entries_.resize(out);
  compacted_size_ = out;
  if (static_cast<std::int64_t>(out) + small_distinct_ > kExactDistinctValues) switch_to_sketch();
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
  for (const double value : singles_) add_to_sketch(value, 1);
  std::vector<std::int64_t>().swap(small_counts_);
  std::vector<Entry>().swap(entries_);
  std::vector<Entry>().swap(merged_);
  std::vector<double>().swap(singles_);
  small_distinct_ = 0;
  compacted_size_ = 0;
  sorted_singles_ = 0;
}

bool WeightedSamples::prepare_exact() {
  if (sketch_) return false;
  // More stored values than the exact limit may still be fewer distinct ones: only a fold
  // tells (and switches to the sketch when they are not).
  const auto stored = static_cast<std::int64_t>(entries_.size() + singles_.size());
  if (stored + small_distinct_ > kExactDistinctValues) fold();
  if (sketch_) return false;
  compact_entries();
  if (sorted_singles_ != singles_.size()) {
    sort_by_value(std::span<double>(singles_));
    sorted_singles_ = singles_.size();
  }
  return true;
}

template <typename Visit>
void WeightedSamples::visit_sorted(Visit&& visit) const {
  // A three-way merge. entries_ holds distinct values, singles_ may repeat one; neither
  // holds a small integer (bar -0.0, which small_integer() refuses: it follows the small
  // 0 there, as it would in one sorted list of the three stores).
  if (small_distinct_ == 0 && singles_.empty()) {  // the common cases first: one store
    for (const auto& [value, count] : entries_) {
      visit(value, count);
    }
    return;
  }
  if (small_distinct_ == 0 && entries_.empty()) {
    for (std::size_t i = 0; i < singles_.size();) {
      const double value = singles_[i];
      const std::size_t run_start = i;
      while (++i < singles_.size() && singles_[i] == value) {}
      visit(value, static_cast<std::int64_t>(i - run_start));
    }
    return;
  }
  std::size_t small = 0;
  std::size_t e = 0;
  std::size_t i = 0;
  const auto skip_empty_small = [&] {
    while (small < small_counts_.size() && small_counts_[small] == 0) ++small;
  };
  skip_empty_small();
  for (;;) {
    const bool more_entries = e < entries_.size();
    const bool more_singles = i < singles_.size();
    if (!more_entries && !more_singles && small == small_counts_.size()) return;
    const bool entry_next =
        more_entries && (!more_singles || entries_[e].first <= singles_[i]);
    const double next = entry_next ? entries_[e].first : more_singles ? singles_[i] : 0.0;
    if (small < small_counts_.size() &&
        (!(more_entries || more_singles) || static_cast<double>(small) <= next)) {
      visit(static_cast<double>(small), small_counts_[small]);
      ++small;
      skip_empty_small();
      continue;
    }
    std::int64_t count = 0;
    if (entry_next) count += entries_[e++].second;
    else ++count, ++i;
    while (i < singles_.size() && singles_[i] == next) ++count, ++i;
    if (e < entries_.size() && entries_[e].first == next) count += entries_[e++].second;
    visit(next, count);
  }
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
  }

  /// The next distinct value in ascending order and its count.
  void see(double value, std::int64_t count) {
    seen_ += count;
    while (next_ < needs_.size() && needs_[next_].rank < seen_) values_[needs_[next_++].slot] = value;
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
  std::array<Need, 2 * N> needs_{};
  std::array<double, N> fraction_{};
  std::array<double, 2 * N> values_{};
  std::size_t next_ = 0;
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
  if (!prepare_exact()) return sketch_percentile(q);
  PercentileFinder<1> finder(std::array<double, 1>{q}, total_count_);
  visit_sorted([&finder](double value, std::int64_t count) { finder.see(value, count); });
  return finder.result()[0];
}

DistributionStats WeightedSamples::stats() {
  DistributionStats s;
  s.count = total_count_;
  if (total_count_ == 0) return s;
  const auto n = static_cast<double>(total_count_);
  if (!prepare_exact()) {
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
