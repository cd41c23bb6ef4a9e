#include "sim/log_bucket_table.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

using llmsim::sim::LogBucketTable;

TEST_CASE("table lookups give the log formula's bucket for values across many binades") {
  for (const double relative_error : {0.005, 0.01, 0.2}) {
    CAPTURE(relative_error);
    const double log_gamma = std::log((1.0 + relative_error) / (1.0 - relative_error));
    LogBucketTable table(log_gamma);
    std::mt19937_64 rng(42);
    // Random mantissas in binades from 2^-30 (TPOT in ms of tiny models) to 2^45 (ns of
    // days), and the exact neighbours of each value's bucket boundaries.
    std::uniform_int_distribution<int> exponent(-30, 45);
    std::uniform_int_distribution<std::uint64_t> mantissa(0, (std::uint64_t{1} << 52) - 1);
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
      const double x = std::ldexp(1.0 + static_cast<double>(mantissa(rng)) / 4503599627370496.0, exponent(rng));
      for (const double v : {x, std::nextafter(x, 0.0), std::nextafter(x, 1e300)}) {
        if (table.bucket(v) != table.formula(v)) ++mismatches;
      }
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("bucket boundaries are exact: the last value of a bucket and the first of the next") {
  const double log_gamma = std::log(1.005 / 0.995);
  LogBucketTable table(log_gamma);
  // gamma^i itself is the top of bucket i (the formula's ceil): walk up from 1 ns to 1e12 ns.
  int checked = 0;
  for (int i = 1; i < 2800; ++i) {
    const double top = std::exp(i * log_gamma);
    // Bisect the doubles near gamma^i (ordered like their bit patterns) for the last one the
    // formula puts in bucket i.
    auto lo = std::bit_cast<std::uint64_t>(top * (1.0 - 1e-9));
    auto hi = std::bit_cast<std::uint64_t>(top * (1.0 + 1e-9));
    if (table.formula(std::bit_cast<double>(lo)) != i || table.formula(std::bit_cast<double>(hi)) != i + 1) continue;
    while (hi - lo > 1) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      (table.formula(std::bit_cast<double>(mid)) <= i ? lo : hi) = mid;
    }
    CHECK(table.bucket(std::bit_cast<double>(lo)) == i);
    CHECK(table.bucket(std::bit_cast<double>(hi)) == i + 1);
    ++checked;
  }
  CHECK(checked > 2700);
}

TEST_CASE("subnormal values use the formula") {
  LogBucketTable table(std::log(1.01));
  const double tiny = std::bit_cast<double>(std::uint64_t{12345});
  CHECK(table.bucket(tiny) == table.formula(tiny));
}
