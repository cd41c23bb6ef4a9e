#include "sim/weighted_samples.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

using llmsim::sim::DistributionStats;
using llmsim::sim::WeightedSamples;

namespace {

/// Every field of two statistics, compared with ==.
void check_equal(const DistributionStats& a, const DistributionStats& b) {
  CHECK(a.count == b.count);
  CHECK(a.mean == b.mean);
  CHECK(a.std == b.std);
  CHECK(a.median == b.median);
  CHECK(a.p90 == b.p90);
  CHECK(a.p95 == b.p95);
  CHECK(a.p99 == b.p99);
  CHECK(a.max == b.max);
}

}  // namespace

TEST_CASE("percentiles interpolate linearly between the closest ranks like numpy") {
  WeightedSamples s;
  for (const double v : {4.0, 1.0, 3.0, 2.0}) s.add(v);
  // rank = q/100 x (n - 1) over [1, 2, 3, 4]
  CHECK(s.percentile(50) == doctest::Approx(2.5));   // rank 1.5
  CHECK(s.percentile(90) == doctest::Approx(3.7));   // rank 2.7
  CHECK(s.percentile(99) == doctest::Approx(3.97));  // rank 2.97
  CHECK(s.percentile(0) == 1.0);
  CHECK(s.percentile(100) == 4.0);
}

TEST_CASE("weighted samples give the statistics of the expanded list") {
  WeightedSamples s;
  s.add(1.0, 2);
  s.add(5.0, 2);
  // [1, 1, 5, 5]: mean 3, population std 2, median at rank 1.5 = 1 + 0.5 x 4 = 3
  const DistributionStats st = s.stats();
  CHECK(st.count == 4);
  CHECK(st.mean == doctest::Approx(3.0));
  CHECK(st.std == doctest::Approx(2.0));
  CHECK(st.median == doctest::Approx(3.0));
  // p90: rank 2.7 lies between two 5s
  CHECK(st.p90 == doctest::Approx(5.0));
  // p25: rank 0.75 lies between two 1s
  CHECK(s.percentile(25) == doctest::Approx(1.0));
  CHECK(st.max == 5.0);
}

TEST_CASE("merging many samples keeps percentiles exact") {
  WeightedSamples s;
  // 10000 samples: values 0..9, 1000 of each, added round robin (forces compaction).
  for (int i = 0; i < 10000; ++i) s.add(static_cast<double>(i % 10));
  CHECK(s.count() == 10000);
  // Expanded sorted list: index k holds floor(k / 1000). p95: rank 0.95 x 9999 = 9499.05,
  // indices 9499 and 9500 hold 9 and 9.
  CHECK(s.percentile(95) == doctest::Approx(9.0));
  // p50: rank 4999.5 between index 4999 (4) and 5000 (5): 4.5
  CHECK(s.percentile(50) == doctest::Approx(4.5));
  CHECK(s.stats().mean == doctest::Approx(4.5));
}

TEST_CASE("an empty sample set reports zeros") {
  WeightedSamples s;
  const DistributionStats st = s.stats();
  CHECK(st.count == 0);
  CHECK(st.mean == 0.0);
  CHECK(st.p99 == 0.0);
}

TEST_CASE("small integers and other values form one sorted list") {
  WeightedSamples s;
  for (const double v : {3.0, 2.5, 3.0, 70000.0, 1.0}) s.add(v);
  // [1, 2.5, 3, 3, 70000]: median at rank 2 = 3; p90 at rank 3.6 = 3 + 0.6 x 69997
  const DistributionStats st = s.stats();
  CHECK(st.median == 3.0);
  CHECK(st.p90 == doctest::Approx(42001.2));
  CHECK(st.mean == doctest::Approx(70009.5 / 5.0));
  CHECK(st.max == 70000.0);
  CHECK_FALSE(s.sketched());
}

TEST_CASE("integer samples give the statistics of the same values added as doubles") {
  WeightedSamples as_integers;
  WeightedSamples as_doubles;
  // Small counts, the counting array's edge, past it, negatives, repeats.
  for (const std::int64_t v : {std::int64_t{0}, std::int64_t{7}, std::int64_t{65535}, std::int64_t{65536},
                               std::int64_t{-3}, std::int64_t{7}, std::int64_t{1} << 40, std::int64_t{12}}) {
    as_integers.add_integer(v);
    as_doubles.add(static_cast<double>(v));
  }
  const DistributionStats a = as_integers.stats();
  const DistributionStats b = as_doubles.stats();
  CHECK(a.count == 8);
  check_equal(a, b);
  CHECK(a.median == 9.5);  // [-3, 0, 7, 7, 12, 65535, 65536, 2^40]: ranks 3 and 4
}

TEST_CASE("a set of exactly the exact limit of distinct values stays exact") {
  WeightedSamples s;
  const std::int64_t n = WeightedSamples::kExactDistinctValues;
  for (std::int64_t i = 0; i < n; ++i) s.add(100000.0 + static_cast<double>(i));
  // rank 0.5 x (n - 1) = 524287.5: between 624287 and 624288
  CHECK(s.percentile(50) == 624287.5);
  CHECK_FALSE(s.sketched());
}

TEST_CASE("past the exact limit percentiles come from the sketch within half a percent") {
  WeightedSamples s;
  const std::int64_t n = WeightedSamples::kExactDistinctValues + 1000;
  // Added in two interleaved halves, out of order.
  for (std::int64_t i = n - 1; i >= 0; i -= 2) s.add(static_cast<double>(1000 + 3 * i));
  for (std::int64_t i = 0; i < n; i += 2) s.add(static_cast<double>(1000 + 3 * i));
  const DistributionStats st = s.stats();
  CHECK(s.sketched());
  CHECK(st.count == n);
  // The k-th smallest is 1000 + 3k; the median's rank is (n - 1) / 2.
  const double median = 1000.0 + 3.0 * static_cast<double>(n - 1) / 2.0;
  CHECK(std::abs(st.median - median) <= 0.005 * median);
  const double p99 = 1000.0 + 3.0 * 0.99 * static_cast<double>(n - 1);
  CHECK(std::abs(st.p99 - p99) <= 0.005 * p99);
  CHECK(st.max == 1000.0 + 3.0 * static_cast<double>(n - 1));  // exact
  CHECK(st.mean == doctest::Approx(median).epsilon(1e-12));    // from running sums
}

TEST_CASE("sketched statistics do not depend on the order of the samples") {
  const std::int64_t n = WeightedSamples::kExactDistinctValues + 10;
  WeightedSamples up;
  WeightedSamples down;
  for (std::int64_t i = 0; i < n; ++i) up.add(static_cast<double>(7 * i), 1 + i % 2);
  for (std::int64_t i = n - 1; i >= 0; --i) down.add(static_cast<double>(7 * i), 1 + i % 2);
  const DistributionStats a = up.stats();
  const DistributionStats b = down.stats();
  CHECK(up.sketched());
  CHECK(down.sketched());
  CHECK(a.median == b.median);
  CHECK(a.p95 == b.p95);
  CHECK(a.mean == b.mean);  // sums of integers below 2^53: exact in either order
  CHECK(a.std == doctest::Approx(b.std).epsilon(1e-12));  // rounding of the squares may differ
}

namespace {

using Added = std::vector<std::pair<double, std::int64_t>>;

/// numpy.percentile of the expanded list, computed the plain way: equal values merged in a
/// std::map, ranks counted out one by one.
double reference_percentile(const Added& added, double q) {
  std::map<double, std::int64_t> merged;
  std::int64_t total = 0;
  for (const auto& [value, count] : added) {
    merged[value] += count;
    total += count;
  }
  const auto at_rank = [&merged](std::int64_t rank) {
    for (const auto& [value, count] : merged) {
      if (rank < count) return value;
      rank -= count;
    }
    return merged.rbegin()->first;
  };
  const double rank = q / 100.0 * static_cast<double>(total - 1);
  const auto lo = static_cast<std::int64_t>(std::floor(rank));
  return llmsim::sim::numpy_lerp(at_rank(lo), at_rank(std::min(lo + 1, total - 1)),
                                 rank - std::floor(rank));
}

/// numpy's statistics of the expanded list, sums taken in ascending order of value.
DistributionStats reference_stats(const Added& added) {
  std::map<double, std::int64_t> merged;
  for (const auto& [value, count] : added) merged[value] += count;
  DistributionStats s;
  for (const auto& [value, count] : merged) s.count += count;
  double sum = 0.0;
  for (const auto& [value, count] : merged) sum += value * static_cast<double>(count);
  s.mean = sum / static_cast<double>(s.count);
  double squares = 0.0;
  for (const auto& [value, count] : merged) {
    squares += (value - s.mean) * (value - s.mean) * static_cast<double>(count);
  }
  s.std = std::sqrt(squares / static_cast<double>(s.count));
  s.median = reference_percentile(added, 50);
  s.p90 = reference_percentile(added, 90);
  s.p95 = reference_percentile(added, 95);
  s.p99 = reference_percentile(added, 99);
  s.max = merged.rbegin()->first;
  return s;
}

}  // namespace

TEST_CASE("single samples, weighted samples and small integers read as one sorted list") {
  // Single adds and weighted adds are stored apart (8 and 16 bytes per value) and merged
  // when read: equal values across the stores must count as one, in value order, through
  // the radix sort (thousands of values: integers, then fractions) and the fallback sort.
  for (const bool fractions : {false, true}) {
    for (const std::size_t n : {std::size_t{50}, std::size_t{20000}}) {
      std::mt19937_64 rng(n + (fractions ? 1 : 0));
      Added added;
      WeightedSamples s;
      for (std::size_t i = 0; i < n; ++i) {
        double value = static_cast<double>(rng() % 3000) * 1000.0;  // repeats across stores
        if (rng() % 8 == 0) value = static_cast<double>(rng() % 100);  // small integers
        if (fractions) value += 0.25;
        const std::int64_t count = rng() % 3 == 0 ? 1 + static_cast<std::int64_t>(rng() % 5) : 1;
        s.add(value, count);
        added.emplace_back(value, count);
      }
      CAPTURE(n);
      CAPTURE(fractions);
      check_equal(s.stats(), reference_stats(added));
      // More samples after a first read are sorted in as well.
      s.add(123456789.0);
      s.add(5.0, 2);
      added.emplace_back(123456789.0, 1);
      added.emplace_back(5.0, 2);
      check_equal(s.stats(), reference_stats(added));
      CHECK(s.percentile(37.5) == reference_percentile(added, 37.5));
    }
  }
}

TEST_CASE("more stored samples than the exact limit but fewer distinct values stay exact") {
  // 1.2 million single adds of 600,000 distinct values: the stores fold (equal values
  // merged) on the way, and the result is still the exact one.
  WeightedSamples s;
  Added added;
  const std::int64_t n = WeightedSamples::kExactDistinctValues + 200000;
  for (std::int64_t i = 0; i < n; ++i) {
    const double value = 70000.0 + static_cast<double>((i * 7919) % 600000);
    s.add(value);
    added.emplace_back(value, 1);
  }
  check_equal(s.stats(), reference_stats(added));
  CHECK_FALSE(s.sketched());
}
