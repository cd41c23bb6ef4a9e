#include "workloads/arrival_generator.h"

#include <cmath>

#include "workloads/distributions.h"
#include "workloads/invariant.h"

namespace llmsim::workloads {

ArrivalGenerator::ArrivalGenerator(const ArrivalSpec& spec, RngStream rng)
    : spec_(spec), rng_(rng) {
  check_invariant(spec_.process != ArrivalProcess::closed_loop,
                  "ArrivalGenerator: closed_loop has no open-loop arrival times");
  if (spec_.process != ArrivalProcess::all_at_once) {
    check_invariant(spec_.rate_per_s > 0.0 && std::isfinite(spec_.rate_per_s),
                    "ArrivalGenerator: rate_per_s must be > 0");
  }
  if (spec_.process == ArrivalProcess::gamma) {
    check_invariant(spec_.cv > 0.0 && std::isfinite(spec_.cv), "ArrivalGenerator: cv must be > 0");
  }
}

TimeNs ArrivalGenerator::next() {
  check_invariant(time_s_ * 1e9 < 9.0e18, "ArrivalGenerator: arrival time beyond 285 years");
  const TimeNs now = std::llround(time_s_ * 1e9);
  ++issued_;
  switch (spec_.process) {
    case ArrivalProcess::poisson:
      time_s_ += sample_exponential(spec_.rate_per_s, rng_);
      break;
    case ArrivalProcess::gamma:
      time_s_ += sample_gamma_gap(spec_.rate_per_s, spec_.cv, rng_);
      break;
    case ArrivalProcess::constant:
      // i / rate rather than a running sum: exact to one rounding for every i.
      time_s_ = static_cast<double>(issued_) / spec_.rate_per_s;
      break;
    case ArrivalProcess::all_at_once:
      break;
    case ArrivalProcess::closed_loop:
      check_invariant(false, "ArrivalGenerator: closed_loop reached next()");
      break;
  }
  return now;
}

}  // namespace llmsim::workloads
