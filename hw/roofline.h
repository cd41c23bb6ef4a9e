// The roofline combination of an operator's compute time and memory time, shared by the
// step-time model and its calibration.
#pragma once

#include <algorithm>
#include <cmath>

#include "core/invariant.h"

namespace llmsim::hw {

/// Time of an operator whose compute alone would take `compute_s` and whose memory traffic
/// alone would take `memory_s` (both >= 0, seconds). `exponent` 0 is the classic roofline
/// of Williams, Waterman and Patterson (CACM 2009): max(c, m). `exponent` k >= 1 is the
/// k-norm (c^k + m^k)^(1/k): equal to max(c, m) far from the ridge point and above it by up
/// to 2^(1/k) at the ridge, where neither side hides the other completely (measured GEMMs
/// sit above max(c, m) there; configs/README.md, "Calibrated efficiencies").
/// Inline: the step-time model calls it for every operator of every iteration.
inline double roofline_time_s(double compute_s, double memory_s, double exponent) {
  core::check_invariant(compute_s >= 0.0 && memory_s >= 0.0, "roofline_time_s: times must be >= 0");
  core::check_invariant(exponent == 0.0 || exponent >= 1.0, "roofline_time_s: exponent must be 0 or >= 1");
  if (exponent == 0.0) return std::max(compute_s, memory_s);
  const double top = std::max(compute_s, memory_s);
  if (top == 0.0) return 0.0;
  // Scaled by the larger side so the powers neither overflow nor underflow.
  const double c = compute_s / top;
  const double m = memory_s / top;
  // The calibrated presets use k = 2; sqrt is exact-rounded and some 20x cheaper than pow.
  if (exponent == 2.0) return top * std::sqrt(c * c + m * m);
  if (exponent == 1.0) return compute_s + memory_s;
  return top * std::pow(std::pow(c, exponent) + std::pow(m, exponent), 1.0 / exponent);
}

/// d roofline_time_s / d compute_s and / d memory_s (for Gauss-Newton fits); for exponent 0
/// the side that wins gets 1, the other 0 (a tie goes to compute).
struct RooflinePartials {
  double d_compute = 0.0;
  double d_memory = 0.0;
};
RooflinePartials roofline_partials(double compute_s, double memory_s, double exponent);

}  // namespace llmsim::hw
