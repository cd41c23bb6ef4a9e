#include "core/nearest_integer.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>

using llmsim::core::nearest_integer;

TEST_CASE("nearest_integer is std::llround on halves, binade edges and random values") {
  for (const double x : {0.0, 0.25, 0.49999999999999994, 0.5, 0.5000000000000001, 1.5, 2.5, 1e9 + 0.5,
                         4503599627370495.5, 4503599627370496.0, 4503599627370497.0, 9007199254740993.0,
                         -0.25, -0.5, -1.5, -2.5, -1e9 - 0.5, -4503599627370495.5}) {
    CAPTURE(x);
    CHECK(nearest_integer(x) == std::llround(x));
  }
  // Just below and above every power of two up to 2^60, and halves next to them.
  for (int e = -2; e <= 60; ++e) {
    const double p = std::ldexp(1.0, e);
    for (const double x : {p, std::nextafter(p, 0.0), std::nextafter(p, 1e300), p - 0.5, p + 0.5,
                           std::nextafter(p - 0.5, 0.0), std::nextafter(p + 0.5, 1e300)}) {
      if (x < 0.0) continue;
      CAPTURE(x);
      CHECK(nearest_integer(x) == std::llround(x));
    }
  }
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-3.0, 62.0);
  std::uniform_real_distribution<double> unit(1.0, 2.0);
  int mismatches = 0;
  for (int i = 0; i < 1000000; ++i) {
    const double x = std::ldexp(unit(rng), static_cast<int>(exponent(rng)));
    if (nearest_integer(x) != std::llround(x)) ++mismatches;
  }
  // Halves and their neighbours at random integers below 2^53.
  std::uniform_int_distribution<std::int64_t> integer(0, std::int64_t{1} << 53);
  for (int i = 0; i < 200000; ++i) {
    const double half = static_cast<double>(integer(rng)) + 0.5;
    for (const double x : {half, std::nextafter(half, 0.0), std::nextafter(half, 1e300)}) {
      if (nearest_integer(x) != std::llround(x)) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}
