#include "workloads/request_generator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/input_error.h"
#include "workloads/distributions.h"
#include "workloads/invariant.h"
#include "workloads/trace_reader.h"
#include "workloads/workload_validation.h"

namespace llmsim::workloads {
namespace {

/// The one content id shared by every synthetic prompt's common prefix.
std::uint64_t shared_prefix_hash() { return fnv1a64("shared-prefix"); }

/// Seconds to integer nanoseconds, rounded to nearest; callers keep seconds below 9e9.
TimeNs to_ns(double seconds) { return std::llround(seconds * 1e9); }

}  // namespace

RequestGenerator::RequestGenerator(const WorkloadSpec& spec, std::uint64_t seed)
    : spec_(spec),
      input_lengths_(spec.input_tokens),
      output_lengths_(spec.output_tokens),
      input_rng_(seed, "input_tokens"),
      output_rng_(seed, "output_tokens") {
  validate_workload_spec(spec_);
  from_trace_ = spec_.kind == WorkloadKind::trace;
  if (from_trace_) {
    rows_ = spec_.trace->rows ? *spec_.trace->rows : read_trace(*spec_.trace);
    total_ = static_cast<std::int64_t>(rows_.size());
    prefix_identities_ =
        std::any_of(rows_.begin(), rows_.end(), [](const TraceRow& row) { return !row.prefix_hashes.empty(); });
    if (!(rows_.back().arrival_s < 9.0e9)) {
      throw core::InputError("", 0, "workload.trace.rate_scale",
                             "the replay would last more than 285 years; raise rate_scale");
    }
    return;
  }
  total_ = spec_.num_requests;
  prefix_identities_ = spec_.shared_prefix_tokens > 0;
  closed_loop_ = spec_.arrival.process == ArrivalProcess::closed_loop;
  if (!closed_loop_) arrivals_.emplace(spec_.arrival, RngStream(seed, "arrivals"));
}

std::optional<RequestSpec> RequestGenerator::next() {
  check_invariant(!closed_loop_, "RequestGenerator::next() called on a closed-loop workload");
  if (issued_ >= total_) return std::nullopt;
  if (from_trace_) return trace_request();
  return synthetic_request(arrivals_->next());
}

std::optional<RequestSpec> RequestGenerator::next_at(TimeNs arrival_ns) {
  check_invariant(closed_loop_, "RequestGenerator::next_at() called on an open-loop workload");
  check_invariant(arrival_ns >= 0, "RequestGenerator::next_at(): negative arrival time");
  if (issued_ >= total_) return std::nullopt;
  return synthetic_request(arrival_ns);
}

RequestSpec RequestGenerator::synthetic_request(TimeNs arrival_ns) {
  RequestSpec request;
  request.id = static_cast<std::uint64_t>(issued_++);
  request.arrival_ns = arrival_ns;
  request.input_tokens = input_lengths_.sample(input_rng_);
  request.output_tokens = output_lengths_.sample(output_rng_);
  if (spec_.shared_prefix_tokens > 0) {
    request.input_tokens = std::max(request.input_tokens, spec_.shared_prefix_tokens);
    request.prefix_hashes = {shared_prefix_hash()};
    request.prefix_block_tokens = spec_.shared_prefix_tokens;
  }
  return request;
}

RequestSpec RequestGenerator::trace_request() {
  TraceRow& row = rows_[static_cast<std::size_t>(issued_)];
  RequestSpec request;
  request.id = static_cast<std::uint64_t>(issued_++);
  request.arrival_ns = to_ns(row.arrival_s);
  request.input_tokens = row.input_tokens;
  request.output_tokens = row.output_tokens;
  request.prefix_hashes = std::move(row.prefix_hashes);  // each row is issued once
  request.acceptance_length = row.acceptance_length;
  request.prefix_block_tokens = kMooncakeBlockTokens;
  return request;
}

}  // namespace llmsim::workloads
