// Distributions sampled by our own code from an RngStream (DESIGN.md section 6, rule 10).
// Nothing here uses the standard library's <random> distributions, whose algorithms differ
// between implementations: the same seed gives the same draws with every standard library.
#pragma once

#include <cstdint>

#include "workloads/rng_stream.h"
#include "workloads/workload_spec.h"

namespace llmsim::workloads {

/// Inverse of the standard normal CDF, for p in (0, 1). Acklam's rational approximation
/// (P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
/// function", 2003; relative error below 1.15e-9 over the whole range). Aborts outside (0, 1).
double inverse_normal_cdf(double p);

/// One standard normal draw: inverse_normal_cdf of one uniform draw.
double sample_standard_normal(RngStream& rng);

/// Exponential draw with the given rate (events per unit), mean 1/rate: -ln(U)/rate.
/// Precondition (aborts otherwise): rate > 0 and finite.
double sample_exponential(double rate, RngStream& rng);

/// Gamma draw with shape k > 0 and scale theta > 0 (mean k*theta), by Marsaglia and Tsang,
/// "A simple method for generating gamma variables", ACM TOMS 26(3), 2000; for k < 1 it draws
/// Gamma(k + 1) * U^(1/k) (same paper, section 6). Normals and uniforms come from `rng`.
double sample_gamma(double shape, double scale, RngStream& rng);

/// Inter-arrival gap in seconds with mean 1/rate and coefficient of variation cv:
/// Gamma(shape = 1/cv^2, scale = 1/(rate * shape)). cv = 1 is Poisson-like, cv > 1 bursty.
/// Preconditions (aborts otherwise): rate > 0, cv > 0, both finite.
double sample_gamma_gap(double rate, double cv, RngStream& rng);

/// One token length from `dist`, rounded to the nearest integer (halves away from zero) and
/// clipped to [dist.min_tokens, dist.max_tokens]:
///   fixed      value (no draw);
///   uniform    an integer in [ceil(low), floor(high)], each equally likely (one draw);
///   normal     mean + stddev * z (one draw);
///   lognormal  exp(ln(median) + sigma * z) (one draw);
///   empirical  one of `values`, each position equally likely (one draw).
/// Preconditions (aborts otherwise; validate_workload_spec checks them for users):
/// min_tokens <= max_tokens, uniform has an integer in range, empirical values non-empty.
std::int64_t sample_length(const LengthDistribution& dist, RngStream& rng);

/// sample_length() of one distribution drawn many times (a generator's input and output
/// lengths): the same values from the same draws, with what depends on the distribution
/// alone (a lognormal's ln(median)) computed once. Holds a copy of the distribution.
class LengthSampler {
 public:
  explicit LengthSampler(LengthDistribution dist);
  /// sample_length(dist, rng).
  std::int64_t sample(RngStream& rng) const;

 private:
  LengthDistribution dist_;
  double log_median_ = 0.0;  ///< ln(median) of a lognormal shape, else unused
};

/// The smallest value sample_length(dist, ...) can return: the fixed value, ceil(low) of a
/// uniform, the smallest empirical value (each rounded and clipped as sample_length does), and
/// min_tokens for normal and lognormal, whose support is unbounded below. Same preconditions.
std::int64_t shortest_length(const LengthDistribution& dist);

}  // namespace llmsim::workloads
