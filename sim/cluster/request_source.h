// RequestSource: where the simulator gets its requests. The production source wraps
// workloads::RequestGenerator; tests inject hand-made requests.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/engine/request_record.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

class RequestSource {
 public:
  virtual ~RequestSource() = default;

  /// Closed loop: clients() clients each keep one request in flight, issuing the next
  /// think_time_s() after the previous one finishes (or is rejected).
  virtual bool closed_loop() const = 0;
  virtual std::int64_t clients() const = 0;
  virtual double think_time_s() const = 0;

  /// Open loop: the next request, arrival_ns non-decreasing (and >= the time of the call);
  /// std::nullopt when there is none for now. The simulator asks again after every
  /// request that finishes, so a source of dependent work may resume.
  virtual std::optional<workloads::RequestSpec> next() = 0;
  /// Closed loop: the next request, arriving at arrival_ns; std::nullopt when done.
  virtual std::optional<workloads::RequestSpec> next_at(workloads::TimeNs arrival_ns) = 0;
  /// How many requests the source produces in all (0: not known in advance).
  virtual std::int64_t total_requests() const = 0;
  /// Whether requests may share KV blocks: parallel samples (RequestSpec::num_samples() > 1,
  /// whose forks share the prompt's blocks) or prefix identities (prefix_hashes) the prefix
  /// cache can match. When not, replicas only count KV blocks (ReplicaConfig::track_block_ids).
  virtual bool shares_kv_blocks() const { return true; }

  /// The request with record index `index` finished (completed or rejected) at `now`. A
  /// source of dependent calls (test-time-compute programs) appends the requests that this
  /// releases to `released`; they arrive at `now` and are accepted at once, in order.
  virtual void on_request_done(std::size_t /*index*/, const RequestRecord& /*record*/,
                               workloads::TimeNs /*now*/, std::vector<workloads::RequestSpec>& /*released*/) {}
};

}  // namespace llmsim::sim
