#include "sim/metrics/relative_error_sketch.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using llmsim::sim::RelativeErrorSketch;

TEST_CASE("the value at every rank is within the sketch's relative error") {
  RelativeErrorSketch sketch(0.005);
  std::vector<double> values;
  for (int i = 1; i <= 20000; ++i) values.push_back(1000.0 + 37.0 * i * std::sqrt(static_cast<double>(i)));
  for (const double v : values) sketch.add(v);
  std::sort(values.begin(), values.end());
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(values.size()); k += 97) {
    const double exact = values[static_cast<std::size_t>(k)];
    CHECK(std::abs(sketch.value_at(k) - exact) <= 0.005 * exact);
  }
  CHECK(sketch.value_at(0) == 1037.0);             // clamped to the exact minimum
  CHECK(sketch.value_at(19999) == values.back());  // and maximum
}

TEST_CASE("zeros are exact and negative values sort below them") {
  RelativeErrorSketch sketch(0.01);
  sketch.add(3.0);
  sketch.add(0.0, 2);
  sketch.add(-5.0);
  CHECK(sketch.count() == 4);
  CHECK(sketch.value_at(0) == -5.0);  // the minimum, exact
  CHECK(sketch.value_at(1) == 0.0);
  CHECK(sketch.value_at(2) == 0.0);
  CHECK(sketch.value_at(3) == 3.0);  // the maximum, exact
}

TEST_CASE("a sketch depends on the values added, not on their order") {
  RelativeErrorSketch forward(0.005);
  RelativeErrorSketch backward(0.005);
  for (int i = 0; i < 5000; ++i) forward.add(1.0 + i * 3.1, 1 + i % 3);
  for (int i = 4999; i >= 0; --i) backward.add(1.0 + i * 3.1, 1 + i % 3);
  REQUIRE(forward.count() == backward.count());
  for (std::int64_t k = 0; k < forward.count(); k += 13) CHECK(forward.value_at(k) == backward.value_at(k));
}
