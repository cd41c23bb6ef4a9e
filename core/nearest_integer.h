// nearest_integer: std::llround for the values the simulator rounds on every iteration
// (step times in nanoseconds) or request (sampled token lengths), without a libm call.
#pragma once

#include <cmath>
#include <cstdint>

namespace llmsim::core {

/// std::llround(x) (halves away from zero). Precondition: x finite, |x| < 2^63.
/// For 0.5 <= x < 2^52, x + 0.5 rounds without crossing an integer (below 2^52 an integer
/// is a multiple of ulp(x + 0.5)), so truncating it is llround; elsewhere llround itself.
inline std::int64_t nearest_integer(double x) {
  if (x >= 0.5 && x < 4503599627370496.0) return static_cast<std::int64_t>(x + 0.5);
  return std::llround(x);
}

}  // namespace llmsim::core
