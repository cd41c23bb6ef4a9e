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

TEST_CASE("lookups of neighbouring values, the last bucket remembered, give the formula's bucket") {
  const double log_gamma = std::log(1.005 / 0.995);
  LogBucketTable table(log_gamma);
  int mismatches = 0;
  const auto check = [&](double v) {
    if (table.bucket(v) != table.formula(v)) ++mismatches;
  };
  // Up and down in steps far finer than a bucket (1e6 to 1e7: about 230 buckets).
  for (double v = 1e6; v < 1e7; v *= 1.0001) check(v);
  for (double v = 1e7; v > 1e6; v /= 1.0001) check(v);
  // Ulp by ulp across the powers of two 2^20 and 2^21, where a bucket spans two binades.
  for (const double edge : {1048576.0, 2097152.0}) {
    double v = edge;
    for (int i = 0; i < 2000; ++i) v = std::nextafter(v, 0.0);
    for (int i = 0; i < 4000; ++i, v = std::nextafter(v, 1e300)) check(v);
  }
  // Ulp by ulp across every boundary between 1 and 1e12 ns: the last value of bucket i,
  // then the first of bucket i + 1, then the last of bucket i again.
  for (int i = 1; i < 2800; ++i) {
    const double top = std::exp(i * log_gamma);
    for (double v = top * (1.0 - 1e-15); v <= top * (1.0 + 1e-15); v = std::nextafter(v, 1e300)) check(v);
    check(top * (1.0 - 1e-15));
  }
  // Far apart values in turn: every lookup misses the last bucket.
  for (int i = 0; i < 1000; ++i) check(i % 2 == 0 ? 3.0e6 + i : 7.5e9 - i);
  CHECK(mismatches == 0);
}
