#include "workloads/distributions.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "core/nearest_integer.h"
#include "workloads/invariant.h"

namespace llmsim::workloads {
namespace {

// Acklam (2003) coefficients: central region numerator/denominator (a, b), tails (c, d).
constexpr double kA[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
constexpr double kB[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01,  -1.328068155288572e+01};
constexpr double kC[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
constexpr double kD[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
constexpr double kPLow = 0.02425;

double tail_quantile(double q) {
  // Lower-tail value for q = sqrt(-2 ln p); the upper tail is its negation by symmetry.
  return (((((kC[0] * q + kC[1]) * q + kC[2]) * q + kC[3]) * q + kC[4]) * q + kC[5]) /
         ((((kD[0] * q + kD[1]) * q + kD[2]) * q + kD[3]) * q + 1.0);
}

/// A lognormal draw exp(ln(median) + sigma z), given ln(median): the one formula of
/// sample_length and LengthSampler.
double lognormal_draw(double log_median, double sigma, RngStream& rng) {
  return std::exp(log_median + sigma * sample_standard_normal(rng));
}

/// Rounds to nearest (halves away from zero) and clips to [lo, hi], without overflowing
/// for values beyond the int64 range (a lognormal tail can reach infinity).
std::int64_t round_and_clip(double x, std::int64_t lo, std::int64_t hi) {
  check_invariant(!std::isnan(x), "sample_length: the distribution produced NaN");
  if (x <= static_cast<double>(lo)) return lo;
  if (x >= static_cast<double>(hi)) return hi;
  const std::int64_t rounded = core::nearest_integer(x);  // |x| < 2^63 here, so it fits
  if (rounded < lo) return lo;
  if (rounded > hi) return hi;
  return rounded;
}

}  // namespace

double inverse_normal_cdf(double p) {
  check_invariant(p > 0.0 && p < 1.0, "inverse_normal_cdf: p must lie in (0, 1)");
  if (p < kPLow) return tail_quantile(std::sqrt(-2.0 * std::log(p)));
  if (p > 1.0 - kPLow) return -tail_quantile(std::sqrt(-2.0 * std::log1p(-p)));
  const double q = p - 0.5;
  const double r = q * q;
  return (((((kA[0] * r + kA[1]) * r + kA[2]) * r + kA[3]) * r + kA[4]) * r + kA[5]) * q /
         (((((kB[0] * r + kB[1]) * r + kB[2]) * r + kB[3]) * r + kB[4]) * r + 1.0);
}

double sample_standard_normal(RngStream& rng) { return inverse_normal_cdf(rng.uniform_open01()); }

double sample_exponential(double rate, RngStream& rng) {
  check_invariant(rate > 0.0 && std::isfinite(rate), "sample_exponential: rate must be > 0");
  return -std::log(rng.uniform_open01()) / rate;
}

double sample_gamma(double shape, double scale, RngStream& rng) {
  check_invariant(shape > 0.0 && std::isfinite(shape) && scale > 0.0 && std::isfinite(scale),
                  "sample_gamma: shape and scale must be > 0");
  if (shape < 1.0) {
    // Gamma(k) = Gamma(k + 1) * U^(1/k); U drawn after the Gamma(k + 1) draw.
    const double boosted = sample_gamma(shape + 1.0, 1.0, rng);
    return scale * boosted * std::pow(rng.uniform_open01(), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    const double z = sample_standard_normal(rng);
    const double t = 1.0 + c * z;
    if (t <= 0.0) continue;
    const double v = t * t * t;
    const double u = rng.uniform_open01();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return scale * d * v;
  }
}

double sample_gamma_gap(double rate, double cv, RngStream& rng) {
  check_invariant(rate > 0.0 && std::isfinite(rate) && cv > 0.0 && std::isfinite(cv),
                  "sample_gamma_gap: rate and cv must be > 0");
  const double shape = 1.0 / (cv * cv);
  return sample_gamma(shape, 1.0 / (rate * shape), rng);
}

std::int64_t shortest_length(const LengthDistribution& dist) {
  check_invariant(dist.min_tokens <= dist.max_tokens, "shortest_length: min_tokens > max_tokens");
  const double lowest = std::visit(
      [&dist](const auto& shape) -> double {
        using Shape = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<Shape, FixedLength>) {
          return shape.value;
        } else if constexpr (std::is_same_v<Shape, UniformLength>) {
          return std::ceil(shape.low);
        } else if constexpr (std::is_same_v<Shape, EmpiricalLength>) {
          check_invariant(!shape.values.empty(), "shortest_length: empirical values are empty");
          return static_cast<double>(*std::min_element(shape.values.begin(), shape.values.end()));
        } else {
          return static_cast<double>(dist.min_tokens);  // normal, lognormal
        }
      },
      dist.shape);
  check_invariant(!std::isnan(lowest), "shortest_length: the distribution's bound is NaN");
  return round_and_clip(lowest, dist.min_tokens, dist.max_tokens);
}

LengthSampler::LengthSampler(LengthDistribution dist) : dist_(std::move(dist)) {
  if (const auto* lognormal = std::get_if<LognormalLength>(&dist_.shape)) {
    log_median_ = std::log(lognormal->median);
  }
}

std::int64_t LengthSampler::sample(RngStream& rng) const {
  const auto* lognormal = std::get_if<LognormalLength>(&dist_.shape);
  if (lognormal == nullptr) return sample_length(dist_, rng);
  check_invariant(dist_.min_tokens <= dist_.max_tokens, "sample_length: min_tokens > max_tokens");
  // sample_length's lognormal, with ln(median) computed once.
  return round_and_clip(lognormal_draw(log_median_, lognormal->sigma, rng), dist_.min_tokens,
                        dist_.max_tokens);
}

std::int64_t sample_length(const LengthDistribution& dist, RngStream& rng) {
  check_invariant(dist.min_tokens <= dist.max_tokens, "sample_length: min_tokens > max_tokens");
  const double value = std::visit(
      [&rng](const auto& shape) -> double {
        using Shape = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<Shape, FixedLength>) {
          return shape.value;
        } else if constexpr (std::is_same_v<Shape, UniformLength>) {
          const double lo = std::ceil(shape.low);
          const double hi = std::floor(shape.high);
          check_invariant(lo <= hi && std::isfinite(lo) && std::isfinite(hi),
                          "sample_length: uniform range holds no integer");
          const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
          return lo + static_cast<double>(rng.uniform_below(span));
        } else if constexpr (std::is_same_v<Shape, NormalLength>) {
          return shape.mean + shape.stddev * sample_standard_normal(rng);
        } else if constexpr (std::is_same_v<Shape, LognormalLength>) {
          return lognormal_draw(std::log(shape.median), shape.sigma, rng);
        } else {
          static_assert(std::is_same_v<Shape, EmpiricalLength>);
          check_invariant(!shape.values.empty(), "sample_length: empirical values are empty");
          const auto index = rng.uniform_below(static_cast<std::uint64_t>(shape.values.size()));
          return static_cast<double>(shape.values[static_cast<std::size_t>(index)]);
        }
      },
      dist.shape);
  return round_and_clip(value, dist.min_tokens, dist.max_tokens);
}

}  // namespace llmsim::workloads
