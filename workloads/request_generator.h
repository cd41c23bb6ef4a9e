// RequestGenerator: the requests of a workload, one at a time, for the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "workloads/arrival_generator.h"
#include "workloads/distributions.h"
#include "workloads/request_spec.h"
#include "workloads/rng_stream.h"
#include "workloads/trace_row.h"
#include "workloads/workload_spec.h"

namespace llmsim::workloads {

/// Turns a WorkloadSpec into RequestSpecs.
///
/// kind == trace: open loop; arrivals, lengths and (Mooncake) prefix hashes come from the trace
/// rows, read once at construction. Every other kind is generated synthetically and lazily
/// (O(1) memory however many requests): arrival times from the "arrivals" stream, input
/// lengths from "input_tokens", output lengths from "output_tokens", each an RngStream of
/// the scenario seed, so changing one distribution never shifts another's draws.
/// (The test-time-compute kinds get their own programs later; here they are synthetic.)
///
/// Synthetic with shared_prefix_tokens > 0: every request carries prefix_hashes =
/// {fnv1a64("shared-prefix")} with prefix_block_tokens = shared_prefix_tokens, and its
/// input_tokens is raised to shared_prefix_tokens when it drew fewer.
class RequestGenerator {
 public:
  /// Throws core::InputError if the spec fails validate_workload_spec or the trace cannot be
  /// read. seed = the scenario seed.
  RequestGenerator(const WorkloadSpec& spec, std::uint64_t seed);

  /// True when spec.arrival.process == closed_loop and kind != trace.
  bool closed_loop() const { return closed_loop_; }
  /// Closed loop: concurrent clients, each with one request in flight (spec.arrival.clients).
  std::int64_t clients() const { return spec_.arrival.clients; }
  /// Closed loop: seconds between a client's completion and its next request.
  double think_time_s() const { return spec_.arrival.think_time_s; }

  /// Open loop (synthetic or trace): the next request in arrival order (arrival_ns
  /// non-decreasing, ids 0, 1, 2, ...); std::nullopt once all requests were issued.
  /// Aborts when closed_loop().
  std::optional<RequestSpec> next();

  /// Closed loop: the next request (ids 0, 1, 2, ...), arriving at arrival_ns >= 0 as the
  /// simulator decides; std::nullopt once num_requests were issued. Aborts unless closed_loop().
  std::optional<RequestSpec> next_at(TimeNs arrival_ns);

  /// How many requests this generator produces in all: num_requests, or the trace's rows
  /// (after max_rows).
  std::int64_t total_requests() const { return total_; }

  /// Whether any request carries prefix_hashes: synthetic with shared_prefix_tokens > 0, or
  /// a trace with a row that has hashes.
  bool carries_prefix_identities() const { return prefix_identities_; }

 private:
  /// A synthetic request with the next id, fresh lengths and the given arrival.
  RequestSpec synthetic_request(TimeNs arrival_ns);
  /// The trace's next row as a request.
  RequestSpec trace_request();

  WorkloadSpec spec_;
  LengthSampler input_lengths_;   ///< spec_.input_tokens
  LengthSampler output_lengths_;  ///< spec_.output_tokens
  bool from_trace_ = false;
  bool closed_loop_ = false;
  std::int64_t total_ = 0;
  std::int64_t issued_ = 0;
  bool prefix_identities_ = false;
  std::vector<TraceRow> rows_;                ///< kind == trace only
  std::optional<ArrivalGenerator> arrivals_;  ///< synthetic open loop only
  RngStream input_rng_;
  RngStream output_rng_;
};

}  // namespace llmsim::workloads
