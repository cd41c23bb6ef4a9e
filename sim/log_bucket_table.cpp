#include "sim/log_bucket_table.h"

#include <bit>
#include <cmath>
#include <limits>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {

LogBucketTable::LogBucketTable(double log_base) : log_base_(log_base), binade_of_(2048, -1) {
  LLMSIM_CHECK(log_base > 0.0, "a logarithmic bucket width is positive");
  // A binade spans log(2) / log_base buckets; a slot index is 16 bits.
  too_fine_ = std::log(2.0) / log_base_ > static_cast<double>(std::numeric_limits<std::uint16_t>::max() - 2);
}

std::int64_t LogBucketTable::formula(double x) const {
  return static_cast<std::int64_t>(std::ceil(std::log(x) / log_base_));
}

std::int32_t LogBucketTable::build(std::size_t exponent) {
  const std::uint64_t high = static_cast<std::uint64_t>(exponent) << 52;
  const auto value = [high](std::uint64_t mantissa) { return std::bit_cast<double>(high | mantissa); };
  Binade b;
  b.first_bucket = formula(value(0));
  const std::int64_t last_bucket = formula(value(kMantissaMask));
  b.starts.push_back(0);
  for (std::int64_t bucket = b.first_bucket + 1; bucket <= last_bucket; ++bucket) {
    // The smallest mantissa whose value falls in `bucket` or later: formula(value(hi)) >= bucket.
    std::uint64_t lo = b.starts.back();
    std::uint64_t hi = kMantissaMask;
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (formula(value(mid)) >= bucket) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    b.starts.push_back(lo);
  }
  b.slot_first.resize(std::size_t{1} << kSlotBits);
  std::size_t j = 0;
  for (std::size_t slot = 0; slot < b.slot_first.size(); ++slot) {
    const std::uint64_t first = static_cast<std::uint64_t>(slot) << (52 - kSlotBits);
    while (j + 1 < b.starts.size() && first >= b.starts[j + 1]) ++j;
    b.slot_first[slot] = static_cast<std::uint16_t>(j);
  }
  binades_.push_back(std::move(b));
  binade_of_[exponent] = static_cast<std::int32_t>(binades_.size() - 1);
  return binade_of_[exponent];
}

}  // namespace llmsim::sim
