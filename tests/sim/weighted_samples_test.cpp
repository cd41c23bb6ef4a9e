#include "sim/metrics/weighted_samples.h"

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

/// The added values with equal ones merged (in a std::map: ascending order).
std::map<double, std::int64_t> merged_of(const Added& added) {
  std::map<double, std::int64_t> merged;
  for (const auto& [value, count] : added) merged[value] += count;
  return merged;
}

/// numpy.percentile of the expanded list of `merged`, computed the plain way: ranks counted
/// out one by one.
double reference_percentile(const std::map<double, std::int64_t>& merged, double q) {
  std::int64_t total = 0;
  for (const auto& [value, count] : merged) total += count;
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

double reference_percentile(const Added& added, double q) { return reference_percentile(merged_of(added), q); }

/// numpy's statistics of the expanded list, sums taken in ascending order of value.
DistributionStats reference_stats(const Added& added) {
  const std::map<double, std::int64_t> merged = merged_of(added);
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
  s.median = reference_percentile(merged, 50);
  s.p90 = reference_percentile(merged, 90);
  s.p95 = reference_percentile(merged, 95);
  s.p99 = reference_percentile(merged, 99);
  s.max = merged.rbegin()->first;
  return s;
}

}  // namespace

TEST_CASE("single samples, weighted samples and small integers read as one sorted list") {
  // Small integers are counted in an array, other values stored and sorted: equal values
  // must count as one, in value order, across both (integers, then fractions).
  for (const bool fractions : {false, true}) {
    for (const std::size_t n : {std::size_t{50}, std::size_t{20000}}) {
      std::mt19937_64 rng(n + (fractions ? 1 : 0));
      Added added;
      WeightedSamples s;
      for (std::size_t i = 0; i < n; ++i) {
        double value = static_cast<double>(rng() % 3000) * 1000.0;  // repeats
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
  // 1.2 million single adds of 600,000 distinct values: the store is compacted (equal values
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

namespace {

/// Adds every (value, count) of `added` to a fresh set, in order.
WeightedSamples samples_of(const Added& added) {
  WeightedSamples s;
  for (const auto& [value, count] : added) s.add(value, count);
  return s;
}

/// The set's statistics and a few more percentiles equal the reference's (bit for bit).
void check_against_reference(WeightedSamples& s, const Added& added) {
  check_equal(s.stats(), reference_stats(added));
  const std::map<double, std::int64_t> merged = merged_of(added);
  for (const double q : {0.0, 33.3, 100.0}) {
    CAPTURE(q);
    CHECK(s.percentile(q) == reference_percentile(merged, q));
  }
}

/// n values from `draw`, each with a count from `count` (1: a single sample).
template <typename Draw, typename Count>
Added draw_samples(std::size_t n, std::uint64_t seed, Draw draw, Count count) {
  std::mt19937_64 rng(seed);
  Added added;
  for (std::size_t i = 0; i < n; ++i) {
    const double value = draw(rng);
    added.emplace_back(value, count(rng));
  }
  return added;
}

}  // namespace

TEST_CASE("large weighted sets are sorted and merged like the reference") {
  // Thousands of weighted values: integers (ITL gaps with batch sizes), fractions, narrow
  // and wide ranges, repeats, huge counts, negative values, -0.0.
  using Rng = std::mt19937_64;
  const auto batch = [](Rng& rng) { return 2 + static_cast<std::int64_t>(rng() % 1023); };
  const auto huge_count = [](Rng& rng) { return std::int64_t{1} << (20 + rng() % 20); };
  struct Case {
    const char* name;
    double (*draw)(Rng&);
  };
  const Case cases[] = {
      {"nanosecond gaps", [](Rng& rng) { return 8e6 + static_cast<double>(rng() % 600'000'000); }},
      {"repeated gaps", [](Rng& rng) { return 1e7 + 1000.0 * static_cast<double>(rng() % 3000); }},
      {"one varying bit", [](Rng& rng) { return 70000.0 + static_cast<double>(rng() % 2); }},
      {"low and high bits only",
       [](Rng& rng) { return 70000.0 + static_cast<double>(rng() % 2) + 1099511627776.0 * static_cast<double>(rng() % 2); }},
      {"fractions", [](Rng& rng) { return 0.25 + 1000.0 * static_cast<double>(rng() % 100000); }},
      {"wide fractions", [](Rng& rng) { return std::ldexp(1.0 + static_cast<double>(rng() % 1000000) / 1e6, static_cast<int>(rng() % 60)); }},
      {"all equal", [](Rng&) { return 123456.0; }},
      {"negative values", [](Rng& rng) { return static_cast<double>(rng() % 200000) - 100000.5; }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Added added = draw_samples(20000, 7, c.draw, batch);
    WeightedSamples s = samples_of(added);
    check_against_reference(s, added);
    // More after a first read: a sorted head and a new tail, merged.
    const Added more = draw_samples(5000, 8, c.draw, batch);
    for (const auto& [value, count] : more) s.add(value, count);
    added.insert(added.end(), more.begin(), more.end());
    check_against_reference(s, added);
  }
  SUBCASE("huge counts") {
    const Added added = draw_samples(
        20000, 9, [](Rng& rng) { return std::ldexp(static_cast<double>(rng() >> 12), -static_cast<int>(rng() % 30)); },
        huge_count);
    WeightedSamples s = samples_of(added);
    check_against_reference(s, added);
  }
  SUBCASE("a -0.0 among them") {
    Added added = draw_samples(20000, 10, cases[0].draw, batch);
    added.emplace_back(-0.0, 3);
    WeightedSamples s = samples_of(added);
    check_against_reference(s, added);
  }
}

TEST_CASE("large sets of single samples are sorted like the reference") {
  // Narrow to wide ranges of integers, fractions, repeats.
  using Rng = std::mt19937_64;
  const auto one = [](Rng&) { return std::int64_t{1}; };
  double (*const draws[])(Rng&) = {
      [](Rng& rng) { return 70000.0 + static_cast<double>(rng() % 2000); },
      [](Rng& rng) { return 1048576.0 + static_cast<double>(rng() % 4'000'000); },
      [](Rng& rng) { return 1.6e7 + static_cast<double>(rng() % 1'500'000'000); },
      [](Rng& rng) { return 1.4e8 + static_cast<double>(rng() % 125'000'000'000); },
      [](Rng& rng) { return 1e7 + static_cast<double>(rng() % 1000) * 0.5; },
      [](Rng& rng) { return 9.5e6 + static_cast<double>(rng() % 70'000'000) / 3.0; },
  };
  for (std::size_t d = 0; d < std::size(draws); ++d) {
    for (const std::size_t n : {std::size_t{3000}, std::size_t{40000}}) {
      CAPTURE(d);
      CAPTURE(n);
      Added added = draw_samples(n, d, draws[d], one);
      WeightedSamples s = samples_of(added);
      check_against_reference(s, added);
      const Added more = draw_samples(n / 2, d + 100, draws[d], one);
      for (const auto& [value, count] : more) s.add(value, count);
      added.insert(added.end(), more.begin(), more.end());
      check_against_reference(s, added);
    }
  }
}

TEST_CASE("single samples among many weighted ones are sorted with them") {
  // ITL gaps: mostly batches of several, a few batches of one (single samples).
  using Rng = std::mt19937_64;
  const auto gap = [](Rng& rng) { return 1e7 + 1000.0 * static_cast<double>(rng() % 50000); };
  for (const int singles_in_eight : {1, 7}) {
    CAPTURE(singles_in_eight);
    const auto count = [singles_in_eight](Rng& rng) {
      return static_cast<int>(rng() % 8) < singles_in_eight ? std::int64_t{1} : std::int64_t{2} + static_cast<std::int64_t>(rng() % 100);
    };
    Added added = draw_samples(30000, 11, gap, count);
    WeightedSamples s = samples_of(added);
    check_against_reference(s, added);
    const Added more = draw_samples(4000, 12, gap, count);
    for (const auto& [value, c] : more) s.add(value, c);
    added.insert(added.end(), more.begin(), more.end());
    check_against_reference(s, added);
  }
}

TEST_CASE("values around the counting array's range interleave with its values") {
  // Below kSmallIntegerLimit, stored values (fractions, negatives) fall between counted
  // small integers; at and above it they all follow them. Every percentile tells the order.
  std::mt19937_64 rng(13);
  const auto near_limit = [&rng] {
    switch (rng() % 4) {
      case 0: return -7.5 + static_cast<double>(rng() % 20);          // negatives, small integers
      case 1: return 0.1 * static_cast<double>(rng() % 100);          // fractions, small integers
      default: return 65520.0 + 0.25 * static_cast<double>(rng() % 128);  // both sides of the limit
    }
  };
  for (const int weighted_in_four : {1, 3}) {  // more (or fewer) single samples than weighted ones
    CAPTURE(weighted_in_four);
    Added added;
    for (int i = 0; i < 5000; ++i) {
      const bool weighted = static_cast<int>(rng() % 4) < weighted_in_four;
      added.emplace_back(near_limit(), weighted ? 2 + static_cast<std::int64_t>(rng() % 4) : 1);
    }
    WeightedSamples s = samples_of(added);
    check_equal(s.stats(), reference_stats(added));
    const std::map<double, std::int64_t> merged = merged_of(added);
    for (int q = 0; q <= 200; ++q) {
      CAPTURE(q);
      CHECK(s.percentile(q / 2.0) == reference_percentile(merged, q / 2.0));
    }
  }
}
