#include "sim/metrics/metrics_collector.h"

#include <doctest/doctest.h>

#include <vector>

using llmsim::sim::MetricsCollector;

TEST_CASE("KV usage: the largest share of one replica's blocks and the time-weighted mean") {
  MetricsCollector m(std::vector<std::int64_t>{10, 40});
  m.on_kv_usage(0, 0, 5);    // replica 0: half its blocks from t = 0 ...
  m.on_kv_usage(1, 0, 30);   // replica 1: three quarters of its blocks ...
  m.on_kv_usage(1, 50, 4);   // ... until t = 50, then a tenth
  m.on_kv_usage(0, 100, 8);  // ... then 0.8 from t = 100
  m.on_kv_usage(0, 150, 0);
  m.finish(200);
  CHECK(m.kv_usage_max() == 0.8);  // replica 0's 8 of 10, not replica 1's larger count
  // Replica 0: (5 x 100 + 8 x 50) / (10 x 200) = 0.45; replica 1: (30 x 50 + 4 x 150) /
  // (40 x 200) = 0.2625; the mean over replicas: 0.35625.
  CHECK(m.kv_usage_mean() == doctest::Approx(0.35625));
}
