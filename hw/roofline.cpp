#include "hw/roofline.h"

#include <algorithm>
#include <cmath>

#include "core/invariant.h"

namespace llmsim::hw {

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
