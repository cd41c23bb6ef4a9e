// SessionRequestSource: the RequestSource of multi-turn (agentic) sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sim/cluster/request_source.h"
#include "workloads/session_spec.h"

namespace llmsim::sim {

/// Turn 1 of every session arrives at its arrival_s (open loop, in arrival order; equal
/// times in session order). Turn k+1 is released when turn k completes and arrives
/// wait_s after that completion (closed within the session): its prompt is the session's
/// whole context (every earlier turn's new input and output) plus its new input. A turn
/// that is rejected ends its session: its later turns are never issued.
///
/// Content identity, for the prefix cache: a turn's prompt is a chain of segments
/// (RequestSpec::prefix_segment_tokens) that covers it wholly: the earlier turns' segments,
/// then the new input (its hash_ids, each covering hash_block_tokens, then one segment of
/// the session's own for the rest), and its output is identified too
/// (sample_output_hashes), so the next turn's prompt starts with exactly the blocks this
/// turn computed and registered, and the prefix cache finds them if they are still cached.
/// Request ids are 0, 1, 2, ... in issue order.
class SessionRequestSource final : public RequestSource {
 public:
  /// Precondition: every session has at least one turn with positive token counts.
  explicit SessionRequestSource(std::shared_ptr<const std::vector<workloads::Session>> sessions);

  bool closed_loop() const override { return false; }
  std::int64_t clients() const override { return 0; }
  double think_time_s() const override { return 0.0; }
  std::optional<workloads::RequestSpec> next() override;
  std::optional<workloads::RequestSpec> next_at(workloads::TimeNs /*arrival_ns*/) override { return std::nullopt; }
  /// Every turn of every session: a rejected turn's session issues fewer.
  std::int64_t total_requests() const override { return 0; }
  void on_request_done(std::size_t index, const RequestRecord& record, workloads::TimeNs now,
                       std::vector<workloads::RequestSpec>& released) override;

  /// Sessions whose last turn completed; sessions ended by a rejected turn.
  std::int64_t sessions_completed() const { return sessions_completed_; }
  std::int64_t sessions_failed() const { return sessions_failed_; }

 private:
  struct Progress {
    std::size_t next_turn = 0;                 ///< index of the turn to issue next
    std::int64_t context_tokens = 0;           ///< prompt + output of the turns done
    std::vector<std::uint64_t> segment_hashes;  ///< the context's segments
    std::vector<std::int64_t> segment_tokens;
  };
  /// The request of session s's next turn, arriving at arrival_ns; advances its progress.
  workloads::RequestSpec issue(std::size_t s, workloads::TimeNs arrival_ns);

  std::shared_ptr<const std::vector<workloads::Session>> sessions_;
  std::vector<std::size_t> start_order_;  ///< sessions by turn-1 arrival
  std::size_t started_ = 0;
  std::vector<Progress> progress_;
  std::vector<std::size_t> session_of_request_;  ///< by request id
  std::uint64_t next_id_ = 0;
  std::int64_t sessions_completed_ = 0;
  std::int64_t sessions_failed_ = 0;
};

/// Seconds as whole nanoseconds (nearest).
workloads::TimeNs session_seconds_to_ns(double seconds);

}  // namespace llmsim::sim
