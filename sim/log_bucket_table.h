// LogBucketTable: ceil(log(x) / log_base) for positive doubles without computing a logarithm,
// for the relative-error sketch, which buckets every sample of a long run this way.
#pragma once

#include <cstdint>
#include <vector>

namespace llmsim::sim {

/// bucket(x) == formula(x) = ceil(std::log(x) / log_base) for every positive finite x.
///
/// The formula is non-decreasing in x, so within one binade [2^e, 2^(e+1)) each bucket is a
/// run of consecutive mantissas. The first time a binade is met, the first mantissa of every
/// bucket in it is found by bisection with the formula itself (about 53 evaluations per
/// bucket), with a table from the top kSlotBits mantissa bits to the bucket there; a lookup
/// is then one table read and a compare or two. Subnormal x, and bases so fine that a
/// binade holds more buckets than a table slot can index, use the formula directly.
class LogBucketTable {
 public:
  /// Precondition: log_base > 0.
  explicit LogBucketTable(double log_base);

  /// Precondition: x > 0 and finite.
  std::int64_t bucket(double x) {
    const std::uint64_t bits = to_bits(x);
    const auto exponent = static_cast<std::size_t>(bits >> 52);
    if (exponent == 0 || too_fine_) return formula(x);  // subnormal
    std::int32_t index = binade_of_[exponent];
    if (index < 0) index = build(exponent);
    const Binade& b = binades_[static_cast<std::size_t>(index)];
    const std::uint64_t mantissa = bits & kMantissaMask;
    std::size_t j = b.slot_first[static_cast<std::size_t>(mantissa >> (52 - kSlotBits))];
    while (j + 1 < b.starts.size() && mantissa >= b.starts[j + 1]) ++j;
    return b.first_bucket + static_cast<std::int64_t>(j);
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
  static std::uint64_t to_bits(double x);
  /// Builds the binade of biased exponent `exponent`; returns its index in binades_.
  std::int32_t build(std::size_t exponent);

  double log_base_;
  bool too_fine_ = false;                ///< more buckets per binade than a slot index holds
  std::vector<std::int32_t> binade_of_;  ///< per biased exponent: index into binades_, -1 unbuilt
  std::vector<Binade> binades_;
};

}  // namespace llmsim::sim
