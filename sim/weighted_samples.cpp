#include "sim/weighted_samples.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

using Entry = std::pair<double, std::int64_t>;

double value_of(double value) { return value; }
double value_of(const Entry& entry) { return entry.first; }

/// Sets below this size are sorted by comparisons (std::stable_sort), larger ones by radix
/// passes (as are sets above 2^32 - 1 values, whose positions do not fit the counters).
constexpr std::size_t kRadixMinSize = 2048;
constexpr std::size_t kRadixMaxSize = std::numeric_limits<std::uint32_t>::max();

template <typename Item>
void sort_by_comparison(std::span<Item> items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return value_of(a) < value_of(b); });
}

/// How the radix sorts key a set of values, from one read of it (radix_keys). Keys order
/// like the values: every value is >= +0.0.
struct RadixKeys {
  /// Every value is an integer below 2^53 and its key is the value itself; else the key is
  /// its bit pattern (which orders like the value for non-negative doubles).
  bool integers = true;
  std::uint64_t varying = 0;  ///< key bits that differ between values (0: all values equal)
  std::uint64_t common = 0;   ///< key bits that every value has set
  std::uint64_t count_bits = 0;  ///< OR of the counts (sets of Entry), else 0

  std::uint64_t key(double value) const {
    // Through int64 (exact below 2^53): one instruction, where a double to uint64
    // conversion takes a branch and several.
    return integers ? static_cast<std::uint64_t>(static_cast<std::int64_t>(value))
                    : std::bit_cast<std::uint64_t>(value);
  }
  double value(std::uint64_t key) const {
    return integers ? static_cast<double>(static_cast<std::int64_t>(key)) : std::bit_cast<double>(key);
  }
};

/// One read of `items` (two when not all values are integers): their RadixKeys, or nullopt
/// when a value is negative, -0.0 or NaN (which keys would not order; such sets are sorted
/// by comparisons).
template <typename Item>
std::optional<RadixKeys> radix_keys(std::span<const Item> items) {
  constexpr double kTwoTo53 = 9007199254740992.0;
  // Bit patterns above +infinity's: negative values, -0.0 and NaNs.
  constexpr std::uint64_t kInfinityBits = std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity());
  const auto count_bits = [](const Item& item) {
    if constexpr (std::is_same_v<Item, Entry>) return static_cast<std::uint64_t>(item.second);
    return std::uint64_t{0};
  };
  RadixKeys keys;
  std::uint64_t keys_or = 0;
  std::uint64_t keys_and = ~std::uint64_t{0};
  for (const Item& item : items) {  // integer keys, up to the first value that is not one
    const double value = value_of(item);
    if (std::bit_cast<std::uint64_t>(value) > kInfinityBits) return std::nullopt;
    if (!(value < kTwoTo53) || static_cast<double>(static_cast<std::int64_t>(value)) != value) {
      keys.integers = false;
      break;
    }
    const auto key = static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
    keys_or |= key;
    keys_and &= key;
    keys.count_bits |= count_bits(item);
  }
  if (!keys.integers) {  // bit patterns, from the start
    keys_or = 0;
    keys_and = ~std::uint64_t{0};
    for (const Item& item : items) {
      const auto key = std::bit_cast<std::uint64_t>(value_of(item));
      if (key > kInfinityBits) return std::nullopt;
      keys_or |= key;
      keys_and &= key;
      keys.count_bits |= count_bits(item);
    }
  }
  keys.varying = keys_or ^ keys_and;
  keys.common = keys_and;
  return keys;
}

/// 64-bit words read and written through memcpy, whatever objects the memory holds: the
/// radix sorts keep their keys in the storage of the doubles and Entry pairs they sort.
class Words {
 public:
  explicit Words(void* data) : bytes_(static_cast<std::byte*>(data)) {}
  std::uint64_t load(std::size_t i) const {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes_ + i * sizeof word, sizeof word);
    return word;
  }
  void store(std::size_t i, std::uint64_t word) const {
    std::memcpy(bytes_ + i * sizeof word, &word, sizeof word);
  }
  /// The words from index `first` on.
  Words from(std::size_t first) const { return Words(bytes_ + first * sizeof(std::uint64_t)); }

 private:
  std::byte* bytes_;
};

/// LSD radix passes over 64-bit words: one per digit_bits-bit digit, at the bit offsets in
/// `shifts` (lowest first). Digits alike in every word need no pass and have none.
struct DigitPlan {
  static constexpr int kMinDigitBits = 11;
  /// 2^15 counters of 4 bytes for each of the two passes under way (radix_passes): 256 KiB.
  static constexpr int kMaxDigitBits = 15;

  int digit_bits = 0;
  std::uint64_t digit_mask = 0;
  std::array<int, (64 + kMinDigitBits - 1) / kMinDigitBits> shifts{};
  std::size_t passes = 0;

  /// One pass's digit of a word, as a value: loops keep it in registers, where they would
  /// reload a plan's fields after every store through Words (which may alias them).
  struct Digit {
    int shift;
    std::uint64_t mask;
    std::size_t of(std::uint64_t word) const { return static_cast<std::size_t>((word >> shift) & mask); }
  };
  Digit digit(std::size_t pass) const { return Digit{shifts[pass], digit_mask}; }
};

/// The plan for n words whose bits in `varying` (non-zero) differ: the fewest passes that
/// digits of at most kMaxDigitBits bits, and of at most about n counters (so that small sets
/// do not spend their time on counters), allow.
DigitPlan plan_digits(std::uint64_t varying, std::size_t n) {
  const int low = std::countr_zero(varying);
  const int width = 64 - std::countl_zero(varying) - low;
  const int max_bits = std::clamp(static_cast<int>(std::bit_width(n)) - 1, DigitPlan::kMinDigitBits,
                                  DigitPlan::kMaxDigitBits);
  const int digits = (width + max_bits - 1) / max_bits;
  DigitPlan plan;
  plan.digit_bits = (width + digits - 1) / digits;  // equal widths: the fewest counters
  plan.digit_mask = (std::uint64_t{1} << plan.digit_bits) - 1;
  for (int d = 0; d < digits; ++d) {
    const int shift = low + plan.digit_bits * d;
    if (((varying >> shift) & plan.digit_mask) != 0) plan.shifts[plan.passes++] = shift;
  }
  return plan;
}

/// A thread's digit counters for `plan`, zeroed: two arrays of 2^digit_bits, for the
/// pass under way and the next (radix_passes). Kept from one sort to the next (a run sorts
/// its sets one after the other).
std::uint32_t* digit_counters(const DigitPlan& plan) {
  thread_local std::vector<std::uint32_t> counters;
  const std::size_t size = std::size_t{2} << plan.digit_bits;
  if (counters.size() < size) counters.resize(size);
  std::fill_n(counters.begin(), size, 0u);
  return counters.data();
}

/// The passes of `plan` over n words: from `a` to `b`, back, and so on; the sorted words
/// end in `a` after an even number of passes, else in `b`. Stable. `counters`
/// (digit_counters) holds the counts of the first pass's digits; each pass counts the
/// next one's as it moves the words.
void radix_passes(const DigitPlan& plan, std::uint32_t* counters, Words a, Words b, std::size_t n) {
  Words from = a;
  Words to = b;
  const std::size_t digit_values = std::size_t{1} << plan.digit_bits;
  for (std::size_t p = 0; p < plan.passes; ++p) {
    std::uint32_t* offsets = counters + (p % 2) * digit_values;
    std::uint32_t sum = 0;
    for (std::size_t digit = 0; digit < digit_values; ++digit) sum += std::exchange(offsets[digit], sum);
    const DigitPlan::Digit digit = plan.digit(p);
    const auto move_words = [from, to, n, digit, offsets](auto count_next) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t word = from.load(i);
        to.store(offsets[digit.of(word)]++, word);
        count_next(word);
      }
    };
    if (p + 1 < plan.passes) {
      std::uint32_t* next = counters + ((p + 1) % 2) * digit_values;
      std::fill_n(next, digit_values, 0u);
      move_words([next, next_digit = plan.digit(p + 1)](std::uint64_t word) { ++next[next_digit.of(word)]; });
    } else {
      move_words([](std::uint64_t) {});
    }
    std::swap(from, to);
  }
}

/// A thread's second radix buffer for sort_values, of n words at least: kept from one sort
/// to the next, and never zeroed.
Words scratch_words(std::size_t n) {
  thread_local std::unique_ptr<std::uint64_t[]> words;
  thread_local std::size_t capacity = 0;
  if (capacity < n) {
    words = std::make_unique_for_overwrite<std::uint64_t[]>(n);
    capacity = n;
  }
  return Words(words.get());
}

/// Sorts values ascending. Large sets of non-negative values (latencies: mostly distinct)
/// go through radix passes on their keys (two or three for nanosecond latencies instead of
/// O(n log n) comparisons), between their own storage and scratch_words.
void sort_values(std::span<double> values) {
  const std::size_t n = values.size();
  if (n < kRadixMinSize || n > kRadixMaxSize) return sort_by_comparison(values);
  const std::optional<RadixKeys> keys = radix_keys(std::span<const double>(values));
  if (!keys) return sort_by_comparison(values);
  if (keys->varying == 0) return;  // all equal
  const DigitPlan plan = plan_digits(keys->varying, n);
  std::uint32_t* counters = digit_counters(plan);
  const Words in_place(values.data());
  const DigitPlan::Digit first_digit = plan.digit(0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t key = keys->key(values[i]);
    ++counters[first_digit.of(key)];
    in_place.store(i, key);
  }
  const Words scratch = scratch_words(n);
  radix_passes(plan, counters, in_place, scratch, n);
  const bool in_scratch = plan.passes % 2 == 1;
  if (!in_scratch && !keys->integers) return;  // bit patterns in place: the values themselves
  const Words sorted = in_scratch ? scratch : in_place;
  for (std::size_t i = 0; i < n; ++i) values[i] = keys->value(sorted.load(i));
}

/// Merges runs of equal values (sorted entries) into their first entry, counts summed;
/// returns how many entries are left, at the front.
std::size_t merge_equal(std::span<Entry> entries) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (out > 0 && entries[out - 1].first == entries[i].first) {
      entries[out - 1].second += entries[i].second;
    } else {
      entries[out++] = entries[i];
    }
  }
  return out;
}

/// An Entry as one word: the bits of its value's key that can differ (`field`), above the
/// bits of its count. Words order like the values (counts are the low bits, but the sort
/// looks only at the field).
class EntryPacking {
 public:
  /// nullopt when the varying key bits and the counts' bits together need more than 64.
  static std::optional<EntryPacking> of(const RadixKeys& keys) {
    const int low = std::countr_zero(keys.varying);
    const int field_bits = 64 - std::countl_zero(keys.varying) - low;
    const int count_bits = static_cast<int>(std::bit_width(keys.count_bits));  // >= 1: counts >= 1
    if (field_bits + count_bits > 64) return std::nullopt;
    return EntryPacking(keys, low, field_bits, count_bits);
  }

  std::uint64_t word(const Entry& entry) const {
    return ((keys_.key(entry.first) >> low_) & field_mask_) << count_bits_ |
           static_cast<std::uint64_t>(entry.second);
  }
  /// The word bits that differ between entries' values (for plan_digits).
  std::uint64_t varying() const { return (keys_.varying >> low_) << count_bits_; }
  std::uint64_t field(std::uint64_t word) const { return word >> count_bits_; }
  double value(std::uint64_t field) const { return keys_.value(field << low_ | outside_field_); }
  std::int64_t count(std::uint64_t word) const { return static_cast<std::int64_t>(word & count_mask_); }

 private:
  EntryPacking(const RadixKeys& keys, int low, int field_bits, int count_bits)
      : keys_(keys),
        low_(low),
        field_mask_((std::uint64_t{1} << field_bits) - 1),  // field_bits <= 63
        outside_field_(keys.common & ~(field_mask_ << low)),
        count_bits_(count_bits),
        count_mask_((std::uint64_t{1} << count_bits) - 1) {}  // count_bits <= 63

  RadixKeys keys_;
  int low_;                      ///< the field's lowest bit in the key
  std::uint64_t field_mask_;     ///< the field's bits, shifted down to bit 0
  std::uint64_t outside_field_;  ///< the key bits outside the field, alike in every value
  int count_bits_;
  std::uint64_t count_mask_;
};

/// Reads the sorted words (in the upper half of the entries' storage) back into entries
/// from the front, equal values merged; returns how many entries are left. A write of
/// entry j covers words 2j and 2j + 1 of the storage, that is words 2j - n and 2j - n + 1
/// of the upper half: at most the word just read, as j stays below the index read.
std::size_t unpack_merged(const EntryPacking& packing, Words upper_half, std::span<Entry> entries) {
  std::size_t out = 0;
  const std::uint64_t first = upper_half.load(0);
  std::uint64_t field = packing.field(first);
  std::int64_t count = packing.count(first);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    const std::uint64_t word = upper_half.load(i);
    if (packing.field(word) == field) {
      count += packing.count(word);
      continue;
    }
    entries[out++] = Entry(packing.value(field), count);
    field = packing.field(word);
    count = packing.count(word);
  }
  entries[out++] = Entry(packing.value(field), count);
  return out;
}

/// Sorts entries by value and merges equal values (counts summed); returns how many
/// distinct values lead `entries`. Large sets of non-negative values are radix sorted as
/// 8-byte words (EntryPacking) inside their own 16-byte-per-entry storage, half of it for
/// each radix buffer: no other buffer (ITL gaps: half a million entries of integer
/// nanoseconds and batch sizes, two passes).
std::size_t sort_and_merge(std::span<Entry> entries) {
  const std::size_t n = entries.size();
  const auto by_comparison = [entries] {
    sort_by_comparison(entries);
    return merge_equal(entries);
  };
  if (n < kRadixMinSize || n > kRadixMaxSize) return by_comparison();
  const std::optional<RadixKeys> keys = radix_keys(std::span<const Entry>(entries));
  if (!keys) return by_comparison();
  if (keys->varying == 0) return merge_equal(entries);  // all equal
  const std::optional<EntryPacking> packing = EntryPacking::of(*keys);
  if (!packing) return by_comparison();
  const DigitPlan plan = plan_digits(packing->varying(), n);
  std::uint32_t* counters = digit_counters(plan);
  // The sorted words must end in the upper half (unpack_merged). Packing entry i into word
  // i of the lower half (front to back) or of the upper half (back to front) overwrites
  // only entries already read.
  const Words lower_half(entries.data());
  const Words upper_half = lower_half.from(n);
  const bool odd_passes = plan.passes % 2 == 1;
  const Words packed = odd_passes ? lower_half : upper_half;
  const auto pack = [&, first_digit = plan.digit(0)](std::size_t i) {
    const std::uint64_t word = packing->word(entries[i]);
    ++counters[first_digit.of(word)];
    packed.store(i, word);
  };
  if (odd_passes) {
    for (std::size_t i = 0; i < n; ++i) pack(i);
    radix_passes(plan, counters, lower_half, upper_half, n);
  } else {
    for (std::size_t i = n; i-- > 0;) pack(i);
    radix_passes(plan, counters, upper_half, lower_half, n);
  }
  return unpack_merged(*packing, upper_half, entries);
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

void WeightedSamples::add_sketched(double value, std::int64_t count) {
  LLMSIM_CHECK(count >= 0, "sample counts are non-negative");
  if (count == 0) return;
  total_count_ += count;
  add_to_sketch(value, count);
}

void WeightedSamples::add_any(double value, std::int64_t count) {
  LLMSIM_CHECK(count >= 0, "sample counts are non-negative");
  if (count == 0) return;
  total_count_ += count;
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
  if (value >= small_counts_.size()) {
    constexpr auto kLimit = static_cast<std::size_t>(kSmallIntegerLimit);  // value < kLimit
    grow_small_counts(std::min(std::max(value + 1, 2 * small_counts_.size()), kLimit));
  }
  if (small_counts_[value] == 0) ++small_distinct_;
  small_counts_[value] += count;
}

void WeightedSamples::grow_small_counts(std::size_t size) {
  small_counts_.resize(size);  // new counters are 0
}

void WeightedSamples::fold() {
  if (sketch_) return;
  move_singles_to_entries();
  compact_entries();
}

void WeightedSamples::move_singles_to_entries() {
  for (const double value : singles_) entries_.emplace_back(value, 1);
  singles_.clear();
  sorted_singles_ = 0;
}

void WeightedSamples::join_singles_to_unsorted_entries() {
  const std::size_t unsorted = entries_.size() - compacted_size_;
  const std::size_t room = entries_.capacity() - entries_.size();
  if (!singles_.empty() && singles_.size() <= unsorted && singles_.size() <= room) move_singles_to_entries();
}

void WeightedSamples::compact_entries() {
  if (sketch_ || compacted_size_ == entries_.size()) return;
  // The tail added since the last compaction is sorted and merged in place, then merged
  // with the sorted head into merged_, which becomes entries_. The buffers keep their
  // capacity from one compaction to the next.
  const std::size_t tail_size = sort_and_merge(std::span<Entry>(entries_).subspan(compacted_size_));
  entries_.resize(compacted_size_ + tail_size);
  if (compacted_size_ > 0) {  // else the whole set was the tail
    const auto head_end = entries_.begin() + static_cast<std::ptrdiff_t>(compacted_size_);
    merged_.resize(entries_.size());
    std::merge(entries_.begin(), head_end, head_end, entries_.end(), merged_.begin(),
               [](const Entry& a, const Entry& b) { return a.first < b.first; });
    entries_.swap(merged_);
    entries_.resize(merge_equal(entries_));
  }
  compacted_size_ = entries_.size();
  if (static_cast<std::int64_t>(compacted_size_) + small_distinct_ > kExactDistinctValues) switch_to_sketch();
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
  join_singles_to_unsorted_entries();
  compact_entries();
  if (sorted_singles_ != singles_.size()) {
    sort_values(singles_);
    sorted_singles_ = singles_.size();
  }
  return true;
}

namespace {

/// Calls visit(value, count) for each distinct value of `entries` (sorted, distinct values)
/// and `singles` (sorted, count 1 each) in ascending order, counts of equal values summed.
template <typename Visit>
void visit_merged(std::span<const Entry> entries, std::span<const double> singles, Visit& visit) {
  if (singles.empty()) {  // the common cases first: one store
    for (const auto& [value, count] : entries) visit(value, count);
    return;
  }
  const auto visit_run = [&singles, &visit](std::size_t& i, std::int64_t more) {
    const double value = singles[i];
    const std::size_t run_start = i;
    while (++i < singles.size() && singles[i] == value) {}
    visit(value, static_cast<std::int64_t>(i - run_start) + more);
  };
  if (entries.empty()) {
    for (std::size_t i = 0; i < singles.size();) visit_run(i, 0);
    return;
  }
  std::size_t e = 0;
  for (std::size_t i = 0; i < singles.size();) {
    for (; e < entries.size() && entries[e].first < singles[i]; ++e) visit(entries[e].first, entries[e].second);
    const bool equal_entry = e < entries.size() && entries[e].first == singles[i];
    visit_run(i, equal_entry ? entries[e++].second : 0);
  }
  for (; e < entries.size(); ++e) visit(entries[e].first, entries[e].second);
}

/// visit_merged with the values counted in `small_counts` (small_counts[v]: the count of
/// the integer v) among them: a three-way merge.
template <typename Visit>
void visit_merged_with_small(std::span<const std::int64_t> small_counts, std::span<const Entry> entries,
                             std::span<const double> singles, Visit& visit) {
  std::size_t small = 0;
  std::size_t e = 0;
  std::size_t i = 0;
  const auto skip_empty_small = [&] {
    while (small < small_counts.size() && small_counts[small] == 0) ++small;
  };
  skip_empty_small();
  for (;;) {
    const bool more_entries = e < entries.size();
    const bool more_singles = i < singles.size();
    if (!more_entries && !more_singles && small == small_counts.size()) return;
    const bool entry_next = more_entries && (!more_singles || entries[e].first <= singles[i]);
    const double next = entry_next ? entries[e].first : more_singles ? singles[i] : 0.0;
    if (small < small_counts.size() &&
        (!(more_entries || more_singles) || static_cast<double>(small) <= next)) {
      visit(static_cast<double>(small), small_counts[small]);
      ++small;
      skip_empty_small();
      continue;
    }
    std::int64_t count = 0;
    if (entry_next) count += entries[e++].second;
    else ++count, ++i;
    while (i < singles.size() && singles[i] == next) ++count, ++i;
    if (e < entries.size() && entries[e].first == next) count += entries[e++].second;
    visit(next, count);
  }
}

}  // namespace

template <typename Visit>
void WeightedSamples::visit_sorted(Visit&& visit) const {
  // entries_ holds distinct values, singles_ may repeat one; neither holds a small integer
  // (bar -0.0, which small_integer() refuses: it follows the small 0 there, as it would in
  // one sorted list of the three stores). So only their values below kSmallIntegerLimit
  // interleave with the counting array's; the others follow them all.
  const std::span<const Entry> entries(entries_);
  const std::span<const double> singles(singles_);
  if (small_distinct_ == 0) return visit_merged(entries, singles, visit);
  const auto low_entries = static_cast<std::size_t>(
      std::partition_point(entries.begin(), entries.end(),
                           [](const Entry& entry) { return entry.first < kSmallIntegerLimit; }) -
      entries.begin());
  const auto low_singles = static_cast<std::size_t>(
      std::partition_point(singles.begin(), singles.end(),
                           [](double value) { return value < kSmallIntegerLimit; }) -
      singles.begin());
  visit_merged_with_small(small_counts_, entries.first(low_entries), singles.first(low_singles), visit);
  visit_merged(entries.subspan(low_entries), singles.subspan(low_singles), visit);
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
