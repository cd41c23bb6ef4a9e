// LogBucketTable: ceil(log(x) / log_base) for positive doubles without computing a logarithm,
// for the relative-error sketch, which buckets every sample of a long run this way.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace llmsim::sim {

/// bucket(x) == formula(x) = ceil(std::log(x) / log_base) for every positive finite x.
///
/// The formula is non-decreasing in x, so within one binade [2^e, 2^(e+1)) each bucket is a
/// run of consecutive mantissas. The first time a binade is met, the first mantissa of every
/// bucket in it is found by bisection with the formula itself (about 53 evaluations per
/// bucket), with a table from the top kSlotBits mantissa bits to the bucket there; a lookup
/// is then one table read and a compare or two, or, for a value in the bucket of the last
/// lookup, one compare. Subnormal x, and bases so fine that a
/// binade holds more buckets than a table slot can index, use the formula directly.
class LogBucketTable {
 public:
  /// Precondition: log_base > 0.
  explicit LogBucketTable(double log_base);

  /// Precondition: x > 0 and finite.
  std::int64_t bucket(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    // The bucket of the last table lookup, when x lies in its part of that binade:
    // successive samples of a run (the gaps of successive decode steps) often do. The bits
    // of positive doubles are ordered as their values.
    if (bits - last_first_bits_ < last_span_bits_) return last_bucket_;
    const auto exponent = static_cast<std::size_t>(bits >> 52);
    if (exponent == 0 || too_fine_) return formula(x);  // subnormal
    std::int32_t index = binade_of_[exponent];
    if (index < 0) index = build(exponent);
    const Binade& b = binades_[static_cast<std::size_t>(index)];
    const std::uint64_t mantissa = bits & kMantissaMask;
    std::size_t j = b.slot_first[static_cast<std::size_t>(mantissa >> (52 - kSlotBits))];
    while (j + 1 < b.starts.size() && mantissa >= b.starts[j + 1]) ++j;
    const std::uint64_t binade_bits = static_cast<std::uint64_t>(exponent) << 52;
    const std::uint64_t end = j + 1 < b.starts.size() ? b.starts[j + 1] : kMantissaMask + 1;
    last_first_bits_ = binade_bits + b.starts[j];
    last_span_bits_ = end - b.starts[j];
    last_bucket_ = b.first_bucket + static_cast<std::int64_t>(j);
    return last_bucket_;
  }

  /// ceil(std::log(x) / log_base), the definition.
  std::int64_t formula(double x) const;

 private:
  static constexpr int kSlotBits = 8;
  static constexpr std::uint64_t kMantissaMask = (std::uint64_t{1} << 52) - 1;
  struct Binade {
    std::int64_t first_bucket = 0;         ///< bucket of the binade's smallest value
    std::vector<std::uint64_t> starts;     ///< starts[j]: first mantissa of bucket first_bucket + j
    std::vector<std::uint16_t> slot_first; ///< per top-bits slot: j of the slot's first mantissa
  };
  /// Builds the binade of biased exponent `exponent`; returns its index in binades_.
  std::int32_t build(std::size_t exponent);

  double log_base_;
  bool too_fine_ = false;                ///< more buckets per binade than a slot index holds
  std::vector<std::int32_t> binade_of_;  ///< per biased exponent: index into binades_, -1 unbuilt
  std::vector<Binade> binades_;
  // The last lookup's bucket and the bits of the doubles in it, within its binade:
  // [last_first_bits_, last_first_bits_ + last_span_bits_). Span 0: none yet.
  std::uint64_t last_first_bits_ = 0;
  std::uint64_t last_span_bits_ = 0;
  std::int64_t last_bucket_ = 0;
};

}  // namespace llmsim::sim
