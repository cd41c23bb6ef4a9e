#include "hw/roofline.h"

#include <algorithm>
#include <cmath>

#include "core/invariant.h"

namespace llmsim::hw {

double roofline_time_s(double compute_s, double memory_s, double exponent) {
  core::check_invariant(compute_s >= 0.0 && memory_s >= 0.0,
                        "roofline_time_s: times must be >= 0");
  core::check_invariant(exponent == 0.0 || exponent >= 1.0,
                        "roofline_time_s: exponent must be 0 or >= 1");
  if (exponent == 0.0) return std::max(compute_s, memory_s);
  const double top = std::max(compute_s, memory_s);
  if (top == 0.0) return 0.0;
  // Scaled by the larger side so the powers neither overflow nor underflow.
  const double c = compute_s / top;
  const double m = memory_s / top;
  // The calibrated presets use k = 2; sqrt is exact-rounded and some 20x cheaper than pow,
  // and the step-time model calls this for every operator of every iteration.
  if (exponent == 2.0) return top * std::sqrt(c * c + m * m);
  if (exponent == 1.0) return compute_s + memory_s;
  return top * std::pow(std::pow(c, exponent) + std::pow(m, exponent), 1.0 / exponent);
}

RooflinePartials roofline_partials(double compute_s, double memory_s, double exponent) {
  RooflinePartials partials;
  if (exponent == 0.0) {
    if (compute_s >= memory_s) {
      partials.d_compute = 1.0;
    } else {
      partials.d_memory = 1.0;
    }
    return partials;
  }
  const double total = roofline_time_s(compute_s, memory_s, exponent);
  if (total == 0.0) return partials;
  // d/dc (c^k + m^k)^(1/k) = (c / total)^(k-1).
  partials.d_compute = std::pow(compute_s / total, exponent - 1.0);
  partials.d_memory = std::pow(memory_s / total, exponent - 1.0);
  return partials;
}

}  // namespace llmsim::hw
