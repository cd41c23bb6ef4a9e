// The steady-state window of a closed-loop run (sim/metrics/steady_state.h), by hand.
#include <doctest/doctest.h>

#include "sim/metrics/steady_state.h"

using llmsim::sim::CompletedTimes;
using llmsim::sim::steady_state_section;

TEST_CASE("the steady-state window leaves out the first and last `clients` requests by arrival") {
  // Two clients, six requests (times in ms, as ns x 1e6), given in completion order.
  constexpr std::int64_t kMs = 1'000'000;
  std::vector<CompletedTimes> done = {
      {0 * kMs, 500 * kMs, 1000 * kMs, 11},     // warm-up (arrival 0): TTFT 500 ms
      {0 * kMs, 500 * kMs, 1100 * kMs, 11},     // warm-up
      {1000 * kMs, 1100 * kMs, 2100 * kMs, 11}, // kept: TTFT 100, TPOT 100
      {1100 * kMs, 1300 * kMs, 2300 * kMs, 6},  // kept: TTFT 200, TPOT 200
      {2100 * kMs, 2200 * kMs, 2700 * kMs, 2},  // drain
      {2300 * kMs, 2400 * kMs, 2500 * kMs, 2},  // drain
  };
  const auto s = steady_state_section(done, 2);
  REQUIRE(!s.is_null());
  CHECK(s["requests"] == 2);
  // From the first kept arrival (1000 ms) to the last kept completion (2300 ms).
  CHECK(s["window_s"].get<double>() == doctest::Approx(1.3));
  CHECK(s["mean_ttft_ms"].get<double>() == doctest::Approx(150.0));
  CHECK(s["mean_tpot_ms"].get<double>() == doctest::Approx(150.0));
  CHECK(s["median_ttft_ms"].get<double>() == doctest::Approx(150.0));
  // Tokens inside [1000, 2300] ms: the second warm-up request's last 10 x 100/600, both kept
  // requests whole (11 + 6), the drain requests' first tokens (2200 ms: 1) and, for the one
  // whose decode span starts at 2200, 1 x 100/500 of its second token: 1.667 + 17 + 1 + 0.2.
  CHECK(s["output_throughput"].get<double>() == doctest::Approx((10.0 / 6.0 + 17.0 + 1.0 + 0.2) / 1.3));
  // Too few requests for a window: null.
  CHECK(steady_state_section({done.begin(), done.begin() + 4}, 2).is_null());
}
