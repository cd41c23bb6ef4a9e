// ProgramRequestSource: the RequestSource of a test-time-compute workload. Problems arrive
// by the workload's arrival process; each runs a workloads::TtcProgram whose calls become
// requests routed to the generator or PRM pool, and whose next calls are released when
// earlier ones complete.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "sim/engine/request_record.h"
#include "sim/cluster/request_source.h"
#include "sim/scenario.h"
#include "sim/metrics/ttc_result.h"
#include "sim/metrics/ttc_usage_recorder.h"
#include "workloads/arrival_generator.h"
#include "workloads/ttc_program.h"

namespace llmsim::sim {

/// Arrivals: open-loop processes draw problem arrival times from the "arrivals" stream
/// (the same times a synthetic workload with that process would have). closed_loop: the
/// source itself keeps `clients` problems in flight, starting a new one think_time_s after
/// one finishes, so the simulator sees an open-loop source (closed_loop() is false).
///
/// A call becomes a RequestSpec with a run-wide id (0, 1, 2, ... in issue order), arriving
/// when it is released, routed to spec.generator_pool or spec.prm_pool: a generator call's
/// samples become parallel samples (forked_sample_output_tokens), a PRM call asks for one
/// output token (prefill only). A rejected call fails its problem: no more of its calls are
/// issued (those in flight run to completion) and it frees its closed-loop client.
class ProgramRequestSource final : public RequestSource {
 public:
  /// Throws core::InputError for a scenario whose test-time-compute workload cannot run:
  /// no ttc spec, a pool index out of range, a model without the parameter count the
  /// accounting needs, more samples per call than the generator pool's max_num_seqs, a
  /// context budget beyond the generator's max_position_embeddings, a PRM cap beyond the
  /// PRM's. Precondition: is_test_time_compute(scenario.workload.kind).
  explicit ProgramRequestSource(const Scenario& scenario);

  bool closed_loop() const override { return false; }
  std::int64_t clients() const override { return 0; }
  double think_time_s() const override { return 0.0; }
  std::optional<workloads::RequestSpec> next() override;
  std::optional<workloads::RequestSpec> next_at(workloads::TimeNs /*arrival_ns*/) override { return std::nullopt; }
  std::int64_t total_requests() const override { return 0; }
  void on_request_done(std::size_t index, const RequestRecord& record, workloads::TimeNs now,
                       std::vector<workloads::RequestSpec>& released) override;

  /// The run's per-problem and per-pool results. `records` are the run's request records
  /// (index = record index), `usage` the recorder that observed its iterations.
  TtcResult result(const std::vector<RequestRecord>& records, const TtcUsageRecorder& usage) const;

 private:
  struct Problem {
    std::unique_ptr<workloads::TtcProgram> program;  ///< released once the problem ends
    workloads::TimeNs arrival_ns = 0;
    workloads::TimeNs done_ns = -1;
    TtcProblemStatus status = TtcProblemStatus::unfinished;
    std::int64_t steps = 0;
    std::int64_t generator_calls = 0;
    std::int64_t prm_calls = 0;
    core::SampleCompute compute;
  };
  struct CallRef {
    std::int64_t problem = 0;
    std::int64_t node = 0;
    workloads::TtcRole role = workloads::TtcRole::generator;
  };

  /// Starts the next problem at `at`, queuing its first calls.
  void start_problem(workloads::TimeNs at);
  /// Turns calls of `problem` released at `now` into requests appended to exactly one of
  /// `queue` and `out` (the other is null).
  void issue(std::int64_t problem, std::vector<workloads::TtcCall>& calls, workloads::TimeNs now,
             std::deque<workloads::RequestSpec>* queue, std::vector<workloads::RequestSpec>* out);
  /// Records the end of `problem` at `now`; in closed loop, schedules the next start.
  void end_problem(std::int64_t problem, TtcProblemStatus status, workloads::TimeNs now);
  void capture_dag(const Problem& problem);

  Scenario scenario_;
  workloads::WorkloadKind kind_;
  workloads::TtcSpec spec_;
  workloads::TtcProgramContext context_;  ///< problem index set per problem
  bool closed_loop_ = false;
  workloads::TimeNs think_time_ns_ = 0;
  std::optional<workloads::ArrivalGenerator> arrivals_;  ///< open loop
  std::deque<workloads::TimeNs> closed_loop_starts_;     ///< closed loop: start times due, in order
  std::vector<Problem> problems_;
  std::deque<workloads::RequestSpec> first_calls_;       ///< of started problems, not yet handed out
  std::vector<CallRef> calls_;                           ///< by request id (= RequestRecord.id)
  std::vector<workloads::TtcCall> scratch_;
  std::string dag_graphviz_;
};

}  // namespace llmsim::sim
