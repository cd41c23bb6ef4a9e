// GeneratorRequestSource: the RequestSource of a scenario's workload.
#pragma once

#include "sim/cluster/request_source.h"
#include "workloads/request_generator.h"
#include "workloads/workload_spec.h"

namespace llmsim::sim {

class GeneratorRequestSource final : public RequestSource {
 public:
  /// Throws core::InputError where workloads::RequestGenerator does.
  GeneratorRequestSource(const workloads::WorkloadSpec& spec, std::uint64_t seed)
      : generator_(spec, seed) {}

  bool closed_loop() const override { return generator_.closed_loop(); }
  std::int64_t clients() const override { return generator_.clients(); }
  double think_time_s() const override { return generator_.think_time_s(); }
  std::optional<workloads::RequestSpec> next() override { return generator_.next(); }
  std::optional<workloads::RequestSpec> next_at(workloads::TimeNs arrival_ns) override {
    return generator_.next_at(arrival_ns);
  }
  std::int64_t total_requests() const override { return generator_.total_requests(); }
  /// One sample per request; prefix identities only as the workload gives them.
  bool shares_kv_blocks() const override { return generator_.carries_prefix_identities(); }

 private:
  workloads::RequestGenerator generator_;
};

}  // namespace llmsim::sim
