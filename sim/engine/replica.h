// Replica: one serving engine (a tensor-parallel group) with vLLM's scheduler.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/architecture.h"
#include "core/nearest_integer.h"
#include "core/precise_flops.h"
#include "sim/check.h"
#include "sim/fast_forward/decode_group.h"
#include "sim/engine/block_content_ids.h"
#include "sim/engine/iteration_plan.h"
#include "sim/engine/kv_block_manager.h"
#include "sim/engine/kv_layout.h"
#include "sim/engine/parked_prefix.h"
#include "sim/engine/rank_reports.h"
#include "sim/metrics/metrics_collector.h"
#include "sim/engine/request_record.h"
#include "sim/scenario.h"
#include "sim/scheduler/scheduler_context.h"
#include "sim/engine/sequence.h"
#include "sim/engine/step_pricer.h"
#include "sim/engine/waiting_queue.h"
#include "workloads/request_spec.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {

class Replica;

/// Told of every iteration Replica::advance() applies itself (runs ahead over), right after
/// applying it: replica.plan() is that iteration and `completed_requests` the requests it
/// completed. The iteration advance() leaves in flight is not reported here: its caller
/// applies it later.
class RunAheadListener {
 public:
  virtual void on_applied_ahead(const Replica& replica, std::int64_t completed_requests) = 0;

 protected:
  ~RunAheadListener() = default;
};

struct ReplicaConfig {
  EngineConfig engine;
  std::int64_t kv_blocks = 0;  ///< KV blocks of block_size tokens, >= 1
  /// false: the KV block manager only counts blocks (KvBlockManager, counting only).
  /// Requires that no request carries prefix identities or parallel samples (whose forks
  /// share blocks); add_request() checks it.
  bool track_block_ids = true;
  core::PreciseFlopCoefficients flop_coefficients;  ///< splits StepCost.flops into prefill/decode
  /// The model's layer groups (required): which keys each scheduled token attends and how
  /// many KV blocks a sequence holds (KvLayout). A sliding-window model needs
  /// track_block_ids false (no prefix sharing or parallel samples over windowed layers yet).
  std::shared_ptr<const core::Architecture> architecture;
  /// A hybrid's linear-attention state in attention-token slots (state_token_equivalents in
  /// sim/engine/kv_layout.h); 0 without linear layers.
  double state_token_equivalents = 0.0;
  std::int32_t pool = 0;
  std::int32_t index = 0;         ///< within the pool
  /// Speculative decoding (engine.speculative enabled): the run's seed, from which the
  /// replica's acceptance stream is drawn,
  /// and the price of one draft pass (null: drafts cost nothing, as ngram's).
  std::uint64_t seed = 1;
  std::shared_ptr<const StepPricer> draft_pricer;
  std::int32_t metrics_slot = 0;  ///< run-wide replica index for MetricsCollector
  /// KV offload tiers below the GPU cache (empty: none). Needs prefix caching and
  /// kv_block_bytes > 0: one block's bytes on one GPU (KvCapacity::block_bytes).
  KvOffloadSpec kv_offload;
  double kv_block_bytes = 0.0;
  /// Non-null: this replica is attention-DP rank `dp_rank` of a replica whose ranks step in
  /// lockstep (sim/cluster/dp_group.h); its iterations and KV usage go there, not to the
  /// MetricsCollector. Null (a replica without attention DP): reported directly.
  RankReports* rank_reports = nullptr;
  std::int32_t dp_rank = 0;
};

/// The engine's state (KV blocks, running and waiting requests, the plan in flight) and the
/// mechanics of an iteration; which requests an iteration runs is the scheduling policy's
/// decision (sim/scheduler/vllm_scheduler.h: vLLM V1 with chunked prefill, V0 without),
/// which plans through the SchedulerContext this class implements.
///
/// Time: the iteration's price comes from the StepPricer; every token of it exists at its end.
/// Preemption always takes the most recently admitted request, whatever the policy.
///
/// Parallel sampling (RequestSpec::forked_sample_output_tokens, n > 1): the first sample
/// runs as an ordinary sequence; at the end of the iteration that samples its first token
/// each further sample forks from it (replica_fork.cpp) into a sequence of its own that
/// shares the prompt's full KV blocks (KvBlockManager::share; the partial last block is
/// copied on write: a fork allocates its own when it first grows), already holds its first
/// token, and reports to the same RequestRecord, which completes when all n samples have.
/// Admission holds max_num_seqs seats for the forks to come (vLLM V0 counts all n
/// sequences of a group); a preempted fork recomputes prompt + its tokens like any request.
///
/// Plan and apply are separate steps: plan_iteration() fixes the batch at the start and
/// prices it, apply_iteration() makes its tokens appear at the end.
///
/// Two ways to run the same scheduler (DESIGN.md section 4, "cost grows with events"):
///  - plan_iteration() / apply_iteration(): the reference, one sequence at a time.
///  - advance() (chunked prefill): running requests that decode a token in every iteration
///    form a DecodeGroup and are advanced together, in O(1) per iteration; the others (prompt
///    chunks, admissions, a request that was skipped) are handled one at a time, so an
///    iteration costs O(1) plus the requests that arrive, start, produce their first token
///    or finish in it. Whenever the group's shortcut would not give the reference's answer
///    (the token budget or the KV blocks do not cover every running request), the group is
///    dissolved first and the iteration is planned the reference way. advance() also runs
///    ahead over pure decode iterations up to a horizon (no queue event each).
/// Both give the same results (tests/speed compares whole summaries on every shipped
/// scenario); plan_iteration() dissolves a group, so the two may be mixed.
class Replica final : private SchedulerContext {
 public:
  /// `pricer`, `records` and `metrics` must outlive the replica.
  Replica(const ReplicaConfig& config, const StepPricer& pricer,
          std::vector<RequestRecord>& records, MetricsCollector& metrics);

  /// Queues a routed request. Precondition: it fits (the pool rejected it otherwise):
  /// ceil((input + output - 1) / block_size) <= kv_blocks, and with chunked prefill off
  /// input <= max_num_batched_tokens.
  void add_request(const workloads::RequestSpec& request, RequestIndex index);

  /// Queues a request whose prompt was prefilled on another replica (disaggregation,
  /// sim/cluster/disaggregation.h) and whose KV cache landed here at `landed_ns`: its first
  /// output token exists (sampled there, delivered at landed_ns), its prompt's KV needs
  /// blocks but no compute (Sequence::landed_tokens), and its next step samples token 2.
  /// Preconditions: as add_request; one sample; output_tokens >= 2.
  void add_transferred_request(const workloads::RequestSpec& request, RequestIndex index,
                               workloads::TimeNs landed_ns);

  // Disaggregation's KV holds (sim/cluster/disaggregation.h), by request index: blocks
  // outside every sequence, held for a transfer, counted by audit().
  /// A prefill replica: a request that finishes here keeps its KV blocks until
  /// release_transfer_blocks(), when the decode side has read them.
  void hold_kv_of_finished_requests() { holds_finished_kv_ = true; }
  /// A decode replica: allocates now the blocks that admitting a transferred request of
  /// `input_tokens` prompt tokens will take (its prompt and the token it computes first), for
  /// the KV to be written into; false, allocating nothing, when fewer are available.
  /// add_transferred_request's admission then takes these blocks first. Precondition: no
  /// hold for `index` here.
  bool reserve_transfer_blocks(RequestIndex index, std::int64_t input_tokens);
  /// Frees the blocks held or reserved for request `index`. Precondition: there are some.
  void release_transfer_blocks(RequestIndex index);
  /// Blocks held or reserved for transfers.
  std::int64_t transfer_blocks() const;

  bool iteration_in_flight() const { return in_flight_; }
  bool has_work() const { return !running_.empty() || !group_.empty() || !waiting_.empty(); }

  /// What plan_iteration() and advance() return when no iteration can start: nothing runs
  /// and the waiting head needs KV blocks that transfers hold or reserve (disaggregation).
  static constexpr workloads::TimeNs kNoIteration = -1;

  /// Plans and prices the iteration starting at `now`; returns its end time (> now), or
  /// kNoIteration (nothing in flight) when only a transfer's end can let a request in.
  /// Precondition: !iteration_in_flight() && has_work().
  workloads::TimeNs plan_iteration(workloads::TimeNs now);

  /// Plans the iteration that starts at `now` (with the decode group when it can), then runs
  /// ahead: while the iteration in flight ends before `horizon_ns`, finishes no sequence, and
  /// the next one is a decode step of every running request that admits nothing and preempts
  /// nothing (with a waiting request blocked on KV blocks: evicts nothing either), applies it
  /// and plans the next, each in O(1). Returns the end of the iteration left in flight; the
  /// results are those of plan_iteration() / apply_iteration() one iteration at a time.
  /// horizon_ns <= now: no running ahead. kNoIteration as plan_iteration(). Precondition: as
  /// plan_iteration().
  ///
  /// `completed` non-null: iterations that finish sequences are run ahead too, as long as
  /// the waiting queue is empty (so freed seats and blocks admit nobody before the horizon)
  /// and a running request is left; the requests they complete are appended to `completed`
  /// in the order apply_iteration() would report them. For callers to whom a completion
  /// changes nothing before the horizon (open-loop arrivals, which come only at it).
  /// `listener` non-null: told of each iteration applied ahead.
  workloads::TimeNs advance(workloads::TimeNs now, workloads::TimeNs horizon_ns,
                            std::vector<RequestIndex>* completed = nullptr,
                            RunAheadListener* listener = nullptr);

  /// Aborts, naming the invariant, unless every KV block's reference count equals the
  /// number of holders (sequences, and the decode group's pool of owed blocks) and the block
  /// manager's counters match its blocks. O(blocks + blocks held): for end-of-run checks and
  /// periodic checks in debug builds. Precondition: no iteration in flight.
  void audit() const;

  /// Brings the records of decode-group members up to date (generated tokens), for a run
  /// that stops with requests unfinished. Changes nothing else.
  void sync_records();

  /// Attention-DP lockstep (sim/cluster/dp_group.h): the iteration in flight, planned with
  /// plan_iteration(), lasts `time_s` (the step of all the replica's ranks, priced by the
  /// group) instead of its own price, and ends then. Precondition: iteration_in_flight().
  void set_lockstep_time(double time_s);

  /// Applies the in-flight iteration at its end time: computed tokens, sampled tokens,
  /// TTFT / ITL / completion, freed blocks. Appends the requests it completed to `completed`.
  void apply_iteration(std::vector<RequestIndex>& completed);

  /// The in-flight (or last) iteration. After advance(), plan().seqs lists only the
  /// sequences outside the decode group; plan().group_seqs counts the members.
  const IterationPlan& plan() const { return plan_; }
  const KvBlockManager& kv() const { return kv_; }
  /// The replica's offload tiers; null without deployment.kv_offload.
  const KvOffloadTiers* offload() const { return offload_.get(); }
  const ReplicaConfig& config() const { return config_; }
  std::int64_t num_running() const { return static_cast<std::int64_t>(running_.size()) + group_.size(); }
  std::int64_t num_waiting() const { return waiting_.size(); }
  /// Remaining prompt (not yet computed) + remaining output tokens of its unfinished requests.
  std::int64_t outstanding_tokens() const { return outstanding_tokens_; }
  /// The prompt part of outstanding_tokens(): prompt tokens of its unfinished requests not
  /// yet computed (nor taken from the prefix cache). For the prefix_aware router's cost.
  std::int64_t pending_prompt_tokens() const { return pending_prompt_tokens_; }
  /// Running sums over running requests in the decode phase, kept incrementally: their
  /// count and the sum of their computed tokens (a decode step of a sequence with c computed
  /// tokens attends c + 1 keys).
  std::int64_t decode_seqs() const { return decode_seqs_; }
  std::int64_t decode_context_tokens() const { return decode_context_tokens_; }

 private:
  using Slot = std::int32_t;

  Slot take_slot();
  /// add_request's work; returns the request's slot. `landed`: a transferred request, queued
  /// ahead of the others (WaitingQueue).
  Slot enqueue(const workloads::RequestSpec& request, RequestIndex index, bool landed = false);

  // SchedulerContext (see there), for the policy that plans each iteration.
  const EngineConfig& engine() const override { return config_.engine; }
  std::span<const Slot> running() const override { return running_; }
  const Sequence& sequence(Slot slot) const override { return seqs_[static_cast<std::size_t>(slot)]; }
  bool waiting_empty() const override { return waiting_.empty(); }
  Slot waiting_front() const override { return waiting_.front(); }
  std::int64_t seats_taken() const override { return num_running() + fork_seats_reserved_; }
  std::int64_t pending_forks(Slot slot) const override;
  KvBlockManager::PrefixHit prefix_hit(Slot slot) const override;
  /// The free and evictable blocks, plus the blocks reserved for the waiting queue's head
  /// when it is a transferred request (its admission takes them first).
  std::int64_t blocks_available() const override;
  std::int64_t total_blocks() const override { return kv_.num_blocks(); }
  std::int64_t blocks_held(Slot slot) const override {
    return static_cast<std::int64_t>(seqs_[static_cast<std::size_t>(slot)].blocks.size());
  }
  const KvLayout& kv_layout() const override { return kv_layout_; }
  std::int64_t draft_tokens(Slot slot) const override;
  IterationPlan& plan_in_progress() override { return plan_; }
  PolicyState& policy_state() override { return policy_state_; }
  const PolicyState& policy_state() const override { return policy_state_; }
  bool grow_blocks(Slot slot, std::int64_t new_tokens) override {
    return grow_blocks(seqs_[static_cast<std::size_t>(slot)], new_tokens);
  }
  Slot preempt_last() override;
  void schedule(Slot slot, std::int64_t new_tokens) override;
  void admit_front(const KvBlockManager::PrefixHit& hit, std::int64_t blocks_needed,
                   std::int64_t new_tokens) override;
  void check_decode_sums() const override;

  /// Grows the sequence's blocks to hold computed + new_tokens tokens; false when short.
  bool grow_blocks(Sequence& seq, std::int64_t new_tokens);
  /// Frees the blocks of windowed layers that fell out of the window (KvLayout::blocks_held).
  void trim_blocks(Sequence& seq);
  /// Starts plan_ for an iteration at `now` (index, start, empty batch).
  void begin_plan(workloads::TimeNs now);
  /// Prices plan_, marks it in flight and returns its end. Inline, as price() and
  /// step_ns(): every iteration is planned through it.
  workloads::TimeNs end_plan();
  /// plan_.cost and plan_.prefill_flops_share.
  void price();
  /// price()'s prefill share of a batch with prefill work.
  void price_prefill_share();
  // Speculative decoding (replica_speculative.cpp).
  /// Starts plan_'s speculative fields: whether this iteration speculates, empty passes.
  void begin_speculative_plan();
  /// schedule() of a decode step with drafts: draws its acceptance and adds the verify
  /// (a chunk of s.new_tokens over its context) and its draft passes to the plan.
  void schedule_verify(ScheduledSeq& s, const Sequence& seq);
  /// Sequence::acceptance_p of a request: from its acceptance_length when it has one and
  /// the engine speculates, else -1.
  double request_acceptance(const workloads::RequestSpec& request) const;
  /// One sequence's serial draft passes: `drafts` passes over its `context` cached tokens.
  void serial_draft_passes(std::int64_t drafts, std::int64_t context);
  /// One sequence's tree draft passes (SpeculativeConfig::tree_steps): `steps` passes, the
  /// later ones `top_k` rows each.
  void tree_draft_passes(std::int64_t steps, std::int64_t top_k, std::int64_t context);
  /// Adds the drafter's price to plan_.cost (plan_.draft_time_s): its pass over the
  /// iteration's prompt tokens and its draft passes. Called when the pool has a draft pricer.
  void price_drafts();
  /// Frees the blocks past the sequence's computed tokens: a verify step's rejected drafts.
  void release_rejected_blocks(Sequence& seq);
  /// An iteration of `seconds` as whole nanoseconds, at least 1 so that time moves forward.
  static workloads::TimeNs step_ns(double seconds);
  /// Reports the applied iteration to the metrics and closes it (last_end_ns_, in_flight_).
  void report_iteration(std::int64_t seqs, std::int64_t allocated_blocks);
  /// Tells advance()'s listener, if any, of the iteration just applied ahead.
  void report_applied_ahead(std::int64_t completed_requests) {
    if (run_ahead_listener_ != nullptr) run_ahead_listener_->on_applied_ahead(*this, completed_requests);
  }
  void register_full_blocks(Sequence& seq);
  /// Appends to running_ with the next admission order.
  void push_running(Slot slot);
  /// What applying sequences one at a time counts (apply_scheduled).
  struct ApplyCounts {
    std::int64_t adjacent_gaps = 0;  ///< tokens whose previous token came from the previous iteration
    std::int64_t finished = 0;       ///< sequences that sampled their last token
  };
  /// Applies one scheduled sequence of the iteration in flight (the reference way).
  void apply_scheduled(const ScheduledSeq& s, std::vector<RequestIndex>& completed, ApplyCounts& counts);
  // Decode groups (replica_group.cpp, replica_stretch.cpp).
  /// Plans the iteration at `now` with the decode group, or returns false, having changed
  /// nothing that matters (members may have joined), when the reference plan would differ:
  /// the token budget does not cover the group before a request it cuts short, or the KV
  /// blocks do not cover every running request's next tokens. admit: false in a stretch,
  /// where admission is known to stop as it did in the previous iteration.
  bool plan_grouped(workloads::TimeNs now, bool admit);
  /// advance()'s step when the iteration in flight is a step of the group alone that
  /// finishes members and can_run_ahead(): applies it (appending the requests it completes
  /// to `completed`) and plans the next, as apply_iteration() and plan_grouped(admit =
  /// false) would, without their general cases.
  void step_group_alone(std::vector<RequestIndex>& completed);
  /// advance()'s steps when the iteration in flight is a step of the group alone that
  /// finishes nobody and can_run_ahead(): applies it and plans the next, as
  /// step_group_alone() would, and goes on while the step in flight finishes nobody, ends
  /// before `horizon_ns` and leaves room for the blocks of the step after it.
  void run_quiet_group_steps(workloads::TimeNs horizon_ns);
  /// Whether `blocks` more KV blocks can be had, counting cached blocks an allocation
  /// would evict only when `evictions_allowed`.
  bool blocks_fit(std::int64_t blocks, bool evictions_allowed) const {
    return blocks <= (evictions_allowed ? kv_.num_available() : kv_.num_free());
  }
  /// Adds a step of every group member (one decode token each) to the plan begin_plan()
  /// started, with its KV blocks. Precondition: the group is not empty and the blocks
  /// are available.
  void plan_group_step();
  /// plan_group_step()'s part of the group: allocates the KV blocks of its next step and
  /// plans it; returns how many members that step finishes. Inline: every step of the
  /// group is taken through it.
  std::int64_t take_group_step() {
    const bool allocated = allocate_blocks(group_.blocks_for_next_step(), group_blocks_);
    LLMSIM_CHECK(allocated, "the group's step gets the blocks counted as available");
    return group_.plan_step();
  }
  /// Moves running_ requests that decode in step with the group into it.
  void join_group();
  /// Moves every member back to running_ (admission order), its state brought up to date.
  void dissolve_group();
  /// The apply of the group's step in flight, merged with the plan's sequences in admission order.
  void apply_group_step(std::vector<RequestIndex>& completed, ApplyCounts& counts);
  /// Brings a member that left the group up to date: `steps` more tokens, the last of them
  /// sampled by iteration `last_index` ending at `last_end_ns`, and its owed blocks.
  void settle_member(const DecodeGroup::Departure& departure, std::int64_t last_index,
                     workloads::TimeNs last_end_ns);
  /// A member that samples its last token in the group step being applied.
  void finish_member(const DecodeGroup::Departure& departure, std::vector<RequestIndex>& completed,
                     ApplyCounts& counts);
  /// Whether the iteration after the one in flight will be a decode step of every running
  /// request that advance() may apply early and plan in O(1) (see advance());
  /// may_finish: the one in flight may finish sequences (advance()'s `completed`).
  bool can_run_ahead(bool may_finish) const;
  /// Finishes one sample; returns whether that completed its request (all samples done).
  bool finish(Slot slot, workloads::TimeNs end_ns);
  /// Forks the samples of every sequence in the plan whose first token this iteration
  /// samples (before apply_iteration touches the plan's sequences). replica_fork.cpp.
  void fork_samples();
  /// The leading blocks of `seq` a prefix hit may cover: all but its last token's.
  std::int64_t most_cached_blocks(const Sequence& seq) const;
  /// The prefix hit on `seq`'s registered blocks (content ids).
  KvBlockManager::PrefixHit registered_hit(const Sequence& seq) const;
  /// The parked blocks of `slot` that extend `registered` (0 unless it found every
  /// registered block the request had at its preemption).
  std::int64_t parked_hit(Slot slot, const KvBlockManager::PrefixHit& registered) const;
  /// A preempted request's unregistered full blocks stay in the prefix cache (ParkedBlocks):
  /// prefix caching on and every layer keeping every block.
  bool parks_preempted_blocks() const;
  /// kv_.allocate(), then the parked blocks the allocation took are evicted.
  bool allocate_blocks(std::int64_t count, BlockList& out) {
    const bool allocated = kv_.allocate(count, out);
    parked_.evict_to(kv_.num_free());
    return allocated;
  }
  RequestRecord& record(const Sequence& seq);

  bool holds_finished_kv_ = false;
  std::map<RequestIndex, BlockList> transfer_blocks_;  ///< held (prefill) or reserved (decode)

  ReplicaConfig config_;
  const StepPricer* pricer_;
  std::vector<RequestRecord>* records_;
  MetricsCollector* metrics_;
  /// Before kv_, which points at it: the tiers outlive the manager.
  std::unique_ptr<KvOffloadTiers> offload_;
  KvBlockManager kv_;
  KvLayout kv_layout_;  ///< blocks per sequence; not plain() for sliding-window models
  WaitingQueue waiting_;
  std::vector<Sequence> seqs_;    ///< slots; a slot is reused after its request finishes
  std::vector<Slot> free_slots_;
  std::vector<Slot> running_;     ///< admission order
  IterationPlan plan_;
  PolicyState policy_state_;
  bool in_flight_ = false;
  std::int64_t next_iteration_ = 0;
  workloads::TimeNs last_end_ns_ = 0;  ///< end of the last applied iteration
  std::int64_t outstanding_tokens_ = 0;
  std::int64_t pending_prompt_tokens_ = 0;  ///< see pending_prompt_tokens()
  std::int64_t decode_seqs_ = 0;
  std::int64_t decode_context_tokens_ = 0;
  double peak_flops_per_s_group_ = 0.0;  ///< the pricer's, asked once
  double hbm_bandwidth_bytes_per_s_group_ = 0.0;
  std::vector<RequestIndex> no_completions_;  ///< scratch: advance() applies iterations that complete none
  RunAheadListener* run_ahead_listener_ = nullptr;  ///< advance()'s listener while it runs
  std::uint64_t next_admission_order_ = 0;
  /// Running requests that decode together; running_ holds the others. Empty after
  /// plan_iteration().
  DecodeGroup group_;
  /// KV blocks the group's steps allocated, owed to its members (DecodeGroup::Departure).
  BlockList group_blocks_;
  ParkedBlocks parked_;  ///< preempted requests' blocks still cached, by count
  std::vector<DecodeGroup::Departure> departures_;  ///< scratch
  std::vector<Slot> merged_;                        ///< scratch
  /// Requests with n > 1 whose first sample has not forked yet, by its slot.
  std::unordered_map<Slot, workloads::RequestSpec> pending_forks_;
  /// max_num_seqs seats held for the forks of running, not yet forked requests.
  std::int64_t fork_seats_reserved_ = 0;
  /// Speculative decoding: acceptance draws in plan order, from
  /// RngStream(seed, "speculative/<pool index>/<replica index>"); whether the iteration being
  /// planned speculates (engine.speculative on, and disable_above_batch not exceeded).
  workloads::RngStream acceptance_rng_;
  bool speculating_ = false;
  BlockList rejected_blocks_;  ///< scratch: release_rejected_blocks()
  BlockContentIdCache content_id_cache_;  ///< computes the content ids of enqueued requests
};

inline workloads::TimeNs Replica::end_plan() {
  LLMSIM_CHECK(num_running() <= config_.engine.max_num_seqs, "at most max_num_seqs requests run");
  price();
  plan_.end_ns = plan_.start_ns + step_ns(plan_.cost.time_s);
  in_flight_ = true;
  if (config_.rank_reports != nullptr) {
    config_.rank_reports->on_rank_kv_usage(config_.dp_rank, plan_.start_ns, kv_.num_allocated());
  } else {
    metrics_->on_kv_usage(config_.metrics_slot, plan_.start_ns, kv_.num_allocated());
  }
  return plan_.end_ns;
}

inline void Replica::price() {
  plan_.cost = pricer_->price(plan_.shape);
  if (config_.draft_pricer != nullptr) price_drafts();
  // Offloaded prefix blocks load before the forward pass that uses them (vLLM's KV
  // connector starts its loads ahead of the model's step): the step waits for them.
  plan_.cost.time_s += plan_.offload_load_s;
  const hw::BatchShape& shape = plan_.shape;
  if (shape.prefill_tokens == 0 && shape.prefill_attention_pairs == 0.0 && plan_.prefill_sampled_seqs == 0) {
    plan_.prefill_flops_share = 0.0;  // what price_prefill_share() gives: no prefill FLOPs
    return;
  }
  price_prefill_share();
}

inline workloads::TimeNs Replica::step_ns(double seconds) {
  LLMSIM_CHECK(std::isfinite(seconds) && seconds >= 0.0, "a step costs finite, non-negative time");
  return std::max<workloads::TimeNs>(1, core::nearest_integer(seconds * 1e9));
}

// Inline: every iteration reports through it.
inline void Replica::report_iteration(std::int64_t seqs, std::int64_t allocated_blocks) {
  const workloads::TimeNs end = plan_.end_ns;
  IterationStats stats;
  stats.replica_slot = config_.metrics_slot;
  stats.start_ns = plan_.start_ns;
  stats.end_ns = end;
  stats.seqs = seqs;
  stats.prefill_tokens = plan_.shape.prefill_tokens;
  stats.decode_tokens = plan_.shape.decode_seqs + plan_.verify_tokens;
  stats.verify_seqs = plan_.verify_seqs;
  stats.verify_emitted = plan_.verify_emitted;
  stats.draft_time_s = plan_.draft_time_s;
  stats.time_s = plan_.cost.time_s;
  stats.flops = plan_.cost.flops;
  stats.hbm_bytes = plan_.cost.hbm_bytes;
  stats.compute_bound = plan_.cost.bound == hw::Bound::compute;
  stats.prefill_flops_share = plan_.prefill_flops_share;
  stats.peak_flops_per_s_group = peak_flops_per_s_group_;
  stats.hbm_bandwidth_bytes_per_s_group = hbm_bandwidth_bytes_per_s_group_;
  if (config_.rank_reports != nullptr) {
    config_.rank_reports->on_rank_iteration(config_.dp_rank, stats);
    config_.rank_reports->on_rank_kv_usage(config_.dp_rank, end, allocated_blocks);
  } else {
    metrics_->on_iteration(stats);
    metrics_->on_kv_usage(config_.metrics_slot, end, allocated_blocks);
  }
  last_end_ns_ = end;
  in_flight_ = false;
}

}  // namespace llmsim::sim
