#include "workloads/workload_validation.h"

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/input_error.h"

namespace llmsim::workloads {
namespace {

template <typename Number>
std::string show(Number value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

template <typename Number>
void require(bool ok, const std::string& key, const char* expected, Number got) {
  if (ok) return;
  std::string message = "expected ";
  message.append(expected).append(", got ").append(show(got));
  throw core::InputError("", 0, key, message);
}

void validate_length(const LengthDistribution& dist, const std::string& key) {
  require(dist.min_tokens >= 1, key + ".min_tokens", "an integer >= 1", dist.min_tokens);
  require(dist.max_tokens >= dist.min_tokens, key + ".max_tokens", "an integer >= min_tokens",
          dist.max_tokens);
  std::visit(
      [&key](const auto& shape) {
        using Shape = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<Shape, FixedLength>) {
          require(std::isfinite(shape.value), key + ".value", "a finite number", shape.value);
        } else if constexpr (std::is_same_v<Shape, UniformLength>) {
          require(std::isfinite(shape.low), key + ".low", "a finite number", shape.low);
          require(std::isfinite(shape.high) && std::ceil(shape.low) <= std::floor(shape.high),
                  key + ".high", "a number >= low with an integer between them", shape.high);
        } else if constexpr (std::is_same_v<Shape, NormalLength>) {
          require(std::isfinite(shape.mean), key + ".mean", "a finite number", shape.mean);
          require(std::isfinite(shape.stddev) && shape.stddev >= 0.0, key + ".stddev",
                  "a finite number >= 0", shape.stddev);
        } else if constexpr (std::is_same_v<Shape, LognormalLength>) {
          require(std::isfinite(shape.median) && shape.median > 0.0, key + ".median",
                  "a finite number > 0", shape.median);
          require(std::isfinite(shape.sigma) && shape.sigma >= 0.0, key + ".sigma",
                  "a finite number >= 0", shape.sigma);
        } else {
          static_assert(std::is_same_v<Shape, EmpiricalLength>);
          require(!shape.values.empty(), key + ".values", "at least one length", "none");
        }
      },
      dist.shape);
}

void validate_arrival(const ArrivalSpec& arrival) {
  const std::string key = "workload.arrival";
  switch (arrival.process) {
    case ArrivalProcess::poisson:
    case ArrivalProcess::constant:
      require(std::isfinite(arrival.rate_per_s) && arrival.rate_per_s > 0.0, key + ".rate_per_s",
              "a finite number > 0", arrival.rate_per_s);
      break;
    case ArrivalProcess::gamma:
      require(std::isfinite(arrival.rate_per_s) && arrival.rate_per_s > 0.0, key + ".rate_per_s",
              "a finite number > 0", arrival.rate_per_s);
      require(std::isfinite(arrival.cv) && arrival.cv > 0.0, key + ".cv", "a finite number > 0",
              arrival.cv);
      break;
    case ArrivalProcess::all_at_once:
      break;
    case ArrivalProcess::closed_loop:
      require(arrival.clients > 0, key + ".clients", "a positive integer", arrival.clients);
      require(std::isfinite(arrival.think_time_s) && arrival.think_time_s >= 0.0,
              key + ".think_time_s", "a finite number >= 0", arrival.think_time_s);
      break;
  }
}

}  // namespace

void validate_workload_spec(const WorkloadSpec& spec) {
  if (spec.kind == WorkloadKind::trace) {
    if (!spec.trace) throw core::InputError("", 0, "workload.trace", "kind trace needs a trace section");
    return;
  }
  if (spec.kind == WorkloadKind::sessions) {
    if (!spec.sessions) throw core::InputError("", 0, "workload.sessions", "kind sessions needs a sessions section");
    return;
  }
  require(spec.num_requests > 0, "workload.num_requests", "a positive integer", spec.num_requests);
  validate_arrival(spec.arrival);
  validate_length(spec.input_tokens, "workload.input_tokens");
  validate_length(spec.output_tokens, "workload.output_tokens");
  require(spec.shared_prefix_tokens >= 0 && spec.shared_prefix_tokens <= spec.input_tokens.max_tokens,
          "workload.shared_prefix_tokens", "an integer in [0, input_tokens.max_tokens]",
          spec.shared_prefix_tokens);
}

}  // namespace llmsim::workloads
