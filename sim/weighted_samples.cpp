#include "sim/weighted_samples.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <span>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

/// Integers 0 <= v < this are counted in an array.
constexpr double kSmallIntegerLimit = 65536.0;

using Entry = std::pair<double, std::int64_t>;

/// The value at position `index` (0-based) of the expanded, sorted list.
double value_at(std::span<const Entry> sorted, std::int64_t index) {
  std::int64_t seen = 0;
  for (const auto& [value, count] : sorted) {
    seen += count;
    if (index < seen) return value;
  }
  return sorted.back().first;
}

/// numpy percentiles (see WeightedSamples::percentile) at each of `qs`, in one pass over
/// the expanded sorted list of `total` values.
template <std::size_t N>
std::array<double, N> percentiles_of(std::span<const Entry> sorted, std::int64_t total,
                                     const std::array<double, N>& qs) {
  struct Need {
    std::int64_t rank;
    std::size_t slot;  // 2 q-index (+1 for the upper rank)
  };
  std::array<Need, 2 * N> needs{};
  std::array<double, N> fraction{};
  for (std::size_t i = 0; i < N; ++i) {
    const double rank = (qs[i] / 100.0) * static_cast<double>(total - 1);
    const double below = std::floor(rank);
    const auto lo = static_cast<std::int64_t>(below);
    needs[2 * i] = Need{lo, 2 * i};
    needs[2 * i + 1] = Need{std::min(lo + 1, total - 1), 2 * i + 1};
    fraction[i] = rank - below;
  }
  std::sort(needs.begin(), needs.end(), [](const Need& a, const Need& b) { return a.rank < b.rank; });
  std::array<double, 2 * N> values{};
  std::size_t next = 0;
  std::int64_t seen = 0;
  for (const auto& [value, count] : sorted) {
    seen += count;
    while (next < needs.size() && needs[next].rank < seen) values[needs[next++].slot] = value;
    if (next == needs.size()) break;
  }
  for (; next < needs.size(); ++next) values[needs[next].slot] = sorted.back().first;
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = numpy_lerp(values[2 * i], values[2 * i + 1], fraction[i]);
  return out;
}

/// Sorts entries by value, stably (equal values are merged afterwards, so the result does
/// not depend on how). Large sets of non-negative values (ITL gaps, latencies: mostly
/// distinct) go through an LSD radix sort on a key that orders like the value: the value
/// itself when every one is an integer below 2^53 (nanoseconds), else its bit pattern.
/// 11-bit digits over the bits where keys differ: three or four passes for nanosecond
/// latencies, instead of O(n log n) comparisons.
void sort_by_value(std::span<Entry> entries, std::vector<Entry>& scratch) {
  constexpr double kTwoTo53 = 9007199254740992.0;
  bool radix = entries.size() >= 2048;
  bool integers = true;
  for (const Entry& e : entries) {
    if (!(e.first >= 0.0) || std::signbit(e.first)) {
      radix = false;
      break;
    }
    integers =
        integers && e.first < kTwoTo53 && e.first == static_cast<double>(static_cast<std::uint64_t>(e.first));
  }
  if (!radix) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.first < b.first; });
    return;
  }
  const auto key = [integers](double value) {
    return integers ? static_cast<std::uint64_t>(value) : std::bit_cast<std::uint64_t>(value);
  };
  std::uint64_t all_or = 0;
  std::uint64_t all_and = ~std::uint64_t{0};
  for (const Entry& e : entries) {
    all_or |= key(e.first);
    all_and &= key(e.first);
  }
  const std::uint64_t varying = all_or ^ all_and;
  if (varying == 0) return;  // all equal
  constexpr int kDigitBits = 11;
  constexpr std::uint64_t kDigitMask = (std::uint64_t{1} << kDigitBits) - 1;
  const int low = std::countr_zero(varying);
  const int high = 63 - std::countl_zero(varying);
  if (scratch.size() < entries.size()) scratch.resize(entries.size());
  // Passes alternate between the two buffers; an odd count leaves the result in scratch.
  std::span<Entry> from = entries;
  std::span<Entry> to(scratch.data(), entries.size());
  for (int shift = low; shift <= high; shift += kDigitBits) {
    std::array<std::size_t, kDigitMask + 2> offsets{};
    for (const Entry& e : from) ++offsets[((key(e.first) >> shift) & kDigitMask) + 1];
    for (std::size_t d = 1; d < offsets.size(); ++d) offsets[d] += offsets[d - 1];
    for (const Entry& e : from) to[offsets[(key(e.first) >> shift) & kDigitMask]++] = e;
    std::swap(from, to);
  }
  if (from.data() != entries.data()) std::copy(from.begin(), from.end(), entries.begin());
}

bool small_integer(double value) {
  if (!(value >= 0.0 && value < kSmallIntegerLimit) || std::signbit(value)) return false;
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

void WeightedSamples::add(double value, std::int64_t count) {
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
  if (entries_.capacity() == 0) entries_.reserve(kFirstCompaction);
  entries_.emplace_back(value, count);
  if (entries_.size() >= next_compaction_) {
    compact();
    next_compaction_ = std::max(kFirstCompaction, 2 * entries_.size());
  }
}

void WeightedSamples::add_integer(std::int64_t value) {
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

void WeightedSamples::compact() {
  if (sketch_ || compacted_size_ == entries_.size()) return;
  // The tail added since the last compaction is sorted in place, then merged with the
  // sorted head into merged_, which becomes entries_. The buffers keep their capacity from
  // one compaction to the next, so a long run does not fault in fresh pages every time.
  const auto head_end = entries_.begin() + static_cast<std::ptrdiff_t>(compacted_size_);
  // One radix buffer per thread, shared by every set: a run sorts its sets one after the
  // other, so they need not each fault in a buffer of their own.
  static thread_local std::vector<Entry> scratch;
  sort_by_value(std::span<Entry>(head_end, entries_.end()), scratch);
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
  std::vector<std::int64_t>().swap(small_counts_);
  std::vector<Entry>().swap(entries_);
  std::vector<Entry>().swap(merged_);
  small_distinct_ = 0;
  compacted_size_ = 0;
}

std::span<const Entry> WeightedSamples::sorted_merged(std::vector<Entry>& merged) {
  compact();
  if (small_distinct_ == 0) return entries_;  // no copy: entries_ is the whole set
  merged.clear();
  merged.reserve(entries_.size() + static_cast<std::size_t>(small_distinct_));
  std::size_t e = 0;
  for (std::size_t v = 0; v < small_counts_.size(); ++v) {
    if (small_counts_[v] == 0) continue;
    const auto value = static_cast<double>(v);
    while (e < entries_.size() && entries_[e].first < value) merged.push_back(entries_[e++]);
    merged.emplace_back(value, small_counts_[v]);
  }
  merged.insert(merged.end(), entries_.begin() + static_cast<std::ptrdiff_t>(e), entries_.end());
  return merged;
}

double WeightedSamples::percentile_of(std::span<const Entry> sorted, std::int64_t total, double q) {
  const double rank = (q / 100.0) * static_cast<double>(total - 1);
  const double below = std::floor(rank);
  const auto lo = static_cast<std::int64_t>(below);
  const std::int64_t hi = std::min(lo + 1, total - 1);
  return numpy_lerp(value_at(sorted, lo), value_at(sorted, hi), rank - below);
}

double WeightedSamples::sketch_percentile(double q) const {
  const double rank = (q / 100.0) * static_cast<double>(total_count_ - 1);
  const double below = std::floor(rank);
  const auto lo = static_cast<std::int64_t>(below);
  const std::int64_t hi = std::min(lo + 1, total_count_ - 1);
  return numpy_lerp(sketch_->value_at(lo), sketch_->value_at(hi), rank - below);
}

double WeightedSamples::percentile(double q) {
  LLMSIM_CHECK(q >= 0.0 && q <= 100.0, "percentiles lie in [0, 100]");
  if (total_count_ == 0) return 0.0;
  compact();
  if (sketch_) return sketch_percentile(q);
  std::vector<Entry> storage;
  return percentile_of(sorted_merged(storage), total_count_, q);
}

DistributionStats WeightedSamples::stats() {
  DistributionStats s;
  s.count = total_count_;
  if (total_count_ == 0) return s;
  compact();
  const auto n = static_cast<double>(total_count_);
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
  std::vector<Entry> storage;
  const std::span<const Entry> sorted = sorted_merged(storage);
  double sum = 0.0;
  for (const auto& [value, count] : sorted) sum += value * static_cast<double>(count);
  s.mean = sum / n;
  double squares = 0.0;
  for (const auto& [value, count] : sorted) {
    const double d = value - s.mean;
    squares += d * d * static_cast<double>(count);
  }
  s.std = std::sqrt(squares / n);
  const std::array<double, 4> p =
      percentiles_of(sorted, total_count_, std::array<double, 4>{50.0, 90.0, 95.0, 99.0});
  s.median = p[0];
  s.p90 = p[1];
  s.p95 = p[2];
  s.p99 = p[3];
  s.max = sorted.back().first;
  return s;
}

}  // namespace llmsim::sim
