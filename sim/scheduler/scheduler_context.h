// SchedulerContext: what an engine's scheduling policy sees of one replica and the
// operations it may ask of it while it builds an iteration's plan (DESIGN.md section 4).
#pragma once

#include <cstdint>
#include <span>

#include "sim/engine/iteration_plan.h"
#include "sim/engine/kv_block_manager.h"
#include "sim/engine/kv_layout.h"
#include "sim/scenario.h"
#include "sim/engine/sequence.h"

namespace llmsim::sim {

/// What an engine's policy carries from one iteration to the next, per replica.
struct PolicyState {
  /// SGLang's new_token_ratio (KvAdmission::new_token_ratio): the replica starts it at
  /// NewTokenRatioRule::initial_ratio; plan_sglang updates it after each decode batch.
  double new_token_ratio = 0.0;
};

/// A policy reads the replica's state through the const members and changes it only through
/// the operations, each of which keeps the replica's invariants (KV blocks, running and
/// waiting queues, the plan's batch shape). The operations mutate rather than the policy
/// returning a list of decisions because what a preemption gives back depends on the
/// reference counts of shared prefix blocks, which the KV manager alone knows.
class SchedulerContext {
 public:
  using Slot = std::int32_t;

  virtual const EngineConfig& engine() const = 0;
  /// Running requests, in admission order (the decode group's members excluded: the fast
  /// path calls the policy only for the others).
  virtual std::span<const Slot> running() const = 0;
  virtual const Sequence& sequence(Slot slot) const = 0;
  virtual bool waiting_empty() const = 0;
  /// The request the waiting policy (fcfs, priority) puts first. Precondition: !waiting_empty().
  virtual Slot waiting_front() const = 0;
  /// max_num_seqs seats taken: running requests plus the seats held for forks to come.
  virtual std::int64_t seats_taken() const = 0;
  /// Parallel samples still to fork from `slot` (each takes a seat when it does).
  virtual std::int64_t pending_forks(Slot slot) const = 0;
  /// The request's prefix-cache hit (whole blocks, never its last token).
  virtual KvBlockManager::PrefixHit prefix_hit(Slot slot) const = 0;
  /// KV blocks an allocation can take now (free plus cached-evictable).
  virtual std::int64_t blocks_available() const = 0;
  /// All KV blocks of the replica.
  virtual std::int64_t total_blocks() const = 0;
  /// KV blocks the running request holds now.
  virtual std::int64_t blocks_held(Slot slot) const = 0;
  virtual const KvLayout& kv_layout() const = 0;
  /// Tokens the running request drafts for this iteration beside its next token: 0 unless
  /// the engine speculates in this iteration and the request is decoding
  /// (sim/engine/speculative.h). Its step then computes 1 + draft_tokens new tokens.
  virtual std::int64_t draft_tokens(Slot slot) const = 0;
  /// The plan being built: its batch so far, counters and admission stop. (Not `plan()`:
  /// Replica's public const plan() would be hidden by a non-const overload.)
  virtual IterationPlan& plan_in_progress() = 0;
  virtual PolicyState& policy_state() = 0;
  virtual const PolicyState& policy_state() const = 0;

  /// Gives the running request the KV blocks for `new_tokens` more; false, changing nothing,
  /// when there are not enough.
  virtual bool grow_blocks(Slot slot, std::int64_t new_tokens) = 0;
  /// Preempts the most recently admitted running request by recompute (its blocks freed, it
  /// goes to the front of the waiting queue); returns it.
  virtual Slot preempt_last() = 0;
  /// Adds `new_tokens` of the running request to the plan's batch.
  virtual void schedule(Slot slot, std::int64_t new_tokens) = 0;
  /// Admits waiting_front(): takes its cached prefix `hit` and `blocks_needed` new blocks,
  /// makes it running and schedules `new_tokens` of it. Precondition: the blocks are there.
  virtual void admit_front(const KvBlockManager::PrefixHit& hit, std::int64_t blocks_needed,
                           std::int64_t new_tokens) = 0;
  /// Aborts unless the running decode sums the replica keeps match the plan's batch (an
  /// invariant check for a plan that scheduled every running request and preempted none).
  virtual void check_decode_sums() const = 0;

 protected:
  ~SchedulerContext() = default;
};

}  // namespace llmsim::sim
