#include "workloads/distributions.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "workloads/rng_stream.h"

namespace llmsim::workloads {
namespace {

struct Moments {
  double mean = 0.0;
  double stddev = 0.0;
};

Moments moments(const std::vector<double>& xs) {
  double sum = 0.0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  double squares = 0.0;
  for (double x : xs) squares += (x - mean) * (x - mean);
  return {mean, std::sqrt(squares / static_cast<double>(xs.size() - 1))};
}

std::vector<std::int64_t> draw_lengths(const LengthDistribution& dist, int n, std::string_view name) {
  RngStream rng(42, name);
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(sample_length(dist, rng));
  return out;
}

std::vector<double> as_doubles(const std::vector<std::int64_t>& xs) {
  return std::vector<double>(xs.begin(), xs.end());
}

}  // namespace

TEST_CASE("the same seed and stream name give the same sequence") {
  RngStream a(7, "arrivals");
  RngStream b(7, "arrivals");
  for (int i = 0; i < 100; ++i) CHECK(a.next_u64() == b.next_u64());
}

TEST_CASE("different stream names give different sequences") {
  RngStream a(7, "input_tokens");
  RngStream b(7, "output_tokens");
  int equal = 0;
  for (int i = 0; i < 100; ++i) equal += a.next_u64() == b.next_u64() ? 1 : 0;
  CHECK(equal == 0);
}

TEST_CASE("inverse normal CDF matches tabulated quantiles in the centre and both tails") {
  // Reference quantiles of the standard normal (e.g. Abramowitz and Stegun table 26.5).
  CHECK(inverse_normal_cdf(0.5) == doctest::Approx(0.0));
  CHECK(inverse_normal_cdf(0.975) == doctest::Approx(1.959963984540).epsilon(1e-8));
  CHECK(inverse_normal_cdf(0.3) == doctest::Approx(-0.524400512708).epsilon(1e-8));
  CHECK(inverse_normal_cdf(0.001) == doctest::Approx(-3.090232306168).epsilon(1e-8));
  CHECK(inverse_normal_cdf(0.999) == doctest::Approx(3.090232306168).epsilon(1e-8));
  CHECK(inverse_normal_cdf(1e-10) == doctest::Approx(-6.361340902404).epsilon(1e-8));
}

TEST_CASE("a fixed length is exact and rounds halves away from zero") {
  LengthDistribution exact{FixedLength{256}};
  for (std::int64_t x : draw_lengths(exact, 50, "fixed")) CHECK(x == 256);
  LengthDistribution below_half{FixedLength{256.4}};
  CHECK(draw_lengths(below_half, 1, "fixed").front() == 256);
  LengthDistribution half{FixedLength{256.5}};
  CHECK(draw_lengths(half, 1, "fixed").front() == 257);
}

TEST_CASE("a uniform length covers its inclusive integer range evenly") {
  LengthDistribution dist{UniformLength{3, 5}};
  std::map<std::int64_t, int> counts;
  for (std::int64_t x : draw_lengths(dist, 30000, "uniform")) ++counts[x];
  REQUIRE(counts.size() == 3);
  for (std::int64_t value : {3, 4, 5}) {
    CHECK(counts[value] > 9500);  // 10000 expected, standard deviation about 82
    CHECK(counts[value] < 10500);
  }
}

TEST_CASE("a normal length has the requested mean and standard deviation") {
  LengthDistribution dist{NormalLength{500, 100}};
  const Moments m = moments(as_doubles(draw_lengths(dist, 20000, "normal")));
  CHECK(m.mean == doctest::Approx(500).epsilon(0.01));
  CHECK(m.stddev == doctest::Approx(100).epsilon(0.03));
}

TEST_CASE("20k lognormal lengths of median 1000 and sigma 0.7 have their median within 3 percent") {
  LengthDistribution dist{LognormalLength{1000, 0.7}};
  std::vector<std::int64_t> xs = draw_lengths(dist, 20000, "lognormal");
  std::nth_element(xs.begin(), xs.begin() + 10000, xs.end());
  CHECK(static_cast<double>(xs[10000]) == doctest::Approx(1000).epsilon(0.03));
  // Mean of a lognormal: median * exp(sigma^2 / 2) = 1000 * exp(0.245) = 1277.6.
  CHECK(moments(as_doubles(xs)).mean == doctest::Approx(1277.6).epsilon(0.03));
}

TEST_CASE("sampled lengths are clipped to min_tokens and max_tokens") {
  LengthDistribution dist{LognormalLength{1000, 2.0}};
  dist.min_tokens = 100;
  dist.max_tokens = 2000;
  const std::vector<std::int64_t> xs = draw_lengths(dist, 5000, "clip");
  CHECK(*std::min_element(xs.begin(), xs.end()) == 100);
  CHECK(*std::max_element(xs.begin(), xs.end()) == 2000);
}

TEST_CASE("a normal length below zero is clipped to the default minimum of one token") {
  LengthDistribution dist{NormalLength{-50, 1}};
  for (std::int64_t x : draw_lengths(dist, 100, "negative")) CHECK(x == 1);
}

TEST_CASE("a lognormal tail beyond the int64 range clips to max_tokens without overflow") {
  LengthDistribution dist{LognormalLength{1000, 1000.0}};  // exp() overflows to infinity often
  // About half the draws overflow to +infinity or beyond 2^63, half fall below one token.
  int at_max = 0;
  int at_min = 0;
  for (std::int64_t x : draw_lengths(dist, 200, "huge")) {
    CHECK(x >= 1);
    at_max += x == std::numeric_limits<std::int64_t>::max() ? 1 : 0;
    at_min += x == 1 ? 1 : 0;
  }
  CHECK(at_max > 70);
  CHECK(at_min > 70);
}

TEST_CASE("an empirical length draws only its values and each about equally often") {
  LengthDistribution dist{EmpiricalLength{{10, 20, 30}}};
  std::map<std::int64_t, int> counts;
  for (std::int64_t x : draw_lengths(dist, 30000, "empirical")) ++counts[x];
  REQUIRE(counts.size() == 3);
  for (std::int64_t value : {10, 20, 30}) {
    CHECK(counts[value] > 9500);
    CHECK(counts[value] < 10500);
  }
}

TEST_CASE("exponential draws with rate 4 have mean 0.25 and coefficient of variation 1") {
  RngStream rng(3, "exponential");
  std::vector<double> xs;
  for (int i = 0; i < 50000; ++i) xs.push_back(sample_exponential(4.0, rng));
  const Moments m = moments(xs);
  CHECK(m.mean == doctest::Approx(0.25).epsilon(0.02));
  CHECK(m.stddev / m.mean == doctest::Approx(1.0).epsilon(0.03));
}

TEST_CASE("gamma gaps have mean one over rate and the requested coefficient of variation") {
  for (double cv : {0.5, 1.0, 3.0}) {
    CAPTURE(cv);
    RngStream rng(5, "gamma");
    std::vector<double> xs;
    for (int i = 0; i < 50000; ++i) xs.push_back(sample_gamma_gap(2.0, cv, rng));
    const Moments m = moments(xs);
    CHECK(m.mean == doctest::Approx(0.5).epsilon(0.05));
    CHECK(m.stddev / m.mean == doctest::Approx(cv).epsilon(0.10));
  }
}

TEST_CASE("a gamma draw of shape 2.5 and scale 3 has mean 7.5 and variance 22.5") {
  RngStream rng(9, "gamma-shape");
  std::vector<double> xs;
  for (int i = 0; i < 50000; ++i) xs.push_back(sample_gamma(2.5, 3.0, rng));
  const Moments m = moments(xs);
  CHECK(m.mean == doctest::Approx(7.5).epsilon(0.02));
  CHECK(m.stddev * m.stddev == doctest::Approx(22.5).epsilon(0.05));  // shape * scale^2
}

TEST_CASE("shortest_length is the smallest value sample_length can draw") {
  CHECK(shortest_length(LengthDistribution{FixedLength{99.5}}) == 100);  // rounds like sample_length
  LengthDistribution uniform{UniformLength{10.2, 20}};
  CHECK(shortest_length(uniform) == 11);
  const std::vector<std::int64_t> xs = draw_lengths(uniform, 2000, "shortest");
  CHECK(*std::min_element(xs.begin(), xs.end()) == 11);
  CHECK(shortest_length(LengthDistribution{EmpiricalLength{{40, 7, 90}}}) == 7);
  LengthDistribution lognormal{LognormalLength{1000, 0.5}};
  lognormal.min_tokens = 30;
  CHECK(shortest_length(lognormal) == 30);  // unbounded below: min_tokens
  LengthDistribution clipped{FixedLength{5000}};
  clipped.max_tokens = 4000;
  CHECK(shortest_length(clipped) == 4000);
}

}  // namespace llmsim::workloads

namespace llmsim::workloads {
namespace {

TEST_CASE("LengthSampler draws what sample_length draws, shape by shape") {
  const std::vector<LengthDistribution> dists = {
      LengthDistribution{FixedLength{37.5}},
      LengthDistribution{UniformLength{3.2, 40.9}, 5, 30},
      LengthDistribution{NormalLength{300.0, 120.0}, 1, 600},
      LengthDistribution{LognormalLength{992.0, 0.7}},
      LengthDistribution{LognormalLength{200.0, 0.8}, 1, 4096},
      LengthDistribution{LognormalLength{1000.0, 1000.0}},  // exp() overflows: clipped to max
      LengthDistribution{EmpiricalLength{{5, 9, 11, 400}}},
  };
  for (std::size_t d = 0; d < dists.size(); ++d) {
    CAPTURE(d);
    const LengthSampler sampler(dists[d]);
    RngStream direct(11, "lengths");
    RngStream prepared(11, "lengths");
    int mismatches = 0;
    for (int i = 0; i < 2000; ++i) {
      if (sampler.sample(prepared) != sample_length(dists[d], direct)) ++mismatches;
    }
    CHECK(mismatches == 0);
  }
}

}  // namespace
}  // namespace llmsim::workloads
