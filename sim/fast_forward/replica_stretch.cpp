// Replica: planning with the decode group, and running ahead over decode stretches
// (see replica.h, advance()).
#include <algorithm>

#include "sim/check.h"
#include "sim/engine/replica.h"
#include "sim/scheduler/vllm_scheduler.h"

namespace llmsim::sim {
namespace {

/// The planner and admission the decode group reproduces: plan_vllm_v1 with step_blocks.
/// Engines whose decode steps the group can take: one token per member per step, so not
/// with speculative decoding (a verify step emits a drawn number of tokens).
bool fast_path_engine(const EngineConfig& engine) {
  return engine.chunked_prefill && engine.kind != EngineKind::trtllm &&
         engine.admission == KvAdmission::step_blocks && !engine.speculative.enabled();
}

}  // namespace

workloads::TimeNs Replica::advance(workloads::TimeNs now, workloads::TimeNs horizon_ns,
                                   std::vector<RequestIndex>* completed, RunAheadListener* listener) {
  run_ahead_listener_ = listener;
  // An idle replica beside transfers' KV holds may find nothing to run: the reference
  // planner says so (kNoIteration), and nothing runs ahead.
  if (running_.empty() && group_.empty() && !transfer_blocks_.empty()) return plan_iteration(now);
  // The reference planner may also preempt every running request and then find that
  // nothing fits beside the transfers' blocks.
  if (!plan_grouped(now, /*admit=*/true) && plan_iteration(now) == kNoIteration) return kNoIteration;
  const bool may_finish = completed != nullptr;
  while (plan_.end_ns < horizon_ns && can_run_ahead(may_finish)) {
    if (plan_.seqs.empty() && running_.empty()) {
      if (plan_.finishing_seqs == 0) {
        run_quiet_group_steps(horizon_ns);
      } else {
        step_group_alone(may_finish ? *completed : no_completions_);
      }
      continue;
    }
    if (may_finish) {
      const std::size_t before = completed->size();
      apply_iteration(*completed);
      report_applied_ahead(static_cast<std::int64_t>(completed->size() - before));
    } else {
      no_completions_.clear();
      apply_iteration(no_completions_);
      LLMSIM_CHECK(no_completions_.empty(), "an iteration applied ahead completes nothing");
      report_applied_ahead(0);
    }
    const bool planned = plan_grouped(last_end_ns_, /*admit=*/false);
    LLMSIM_CHECK(planned && plan_.seqs.empty() && plan_.group_seqs == num_running(),
                 "running ahead plans a decode step of every running request");
  }
  run_ahead_listener_ = nullptr;
  return plan_.end_ns;
}

void Replica::step_group_alone(std::vector<RequestIndex>& completed) {
  // apply_iteration() of a step of the group alone: no forks to make (the plan has no
  // sequence that samples its first token) and nothing in running_ to erase.
  LLMSIM_CHECK(plan_.group_seqs == group_.size() && plan_.seqs.empty(), "a step of the group alone is in flight");
  ApplyCounts counts;
  const std::size_t completed_before = completed.size();
  apply_group_step(completed, counts);
  LLMSIM_CHECK(counts.finished == plan_.finishing_seqs, "an iteration finishes the sequences its plan counted");
  metrics_->on_itl(plan_.end_ns - last_end_ns_, counts.adjacent_gaps);
  report_iteration(plan_.group_seqs, kv_.num_allocated());
  report_applied_ahead(static_cast<std::int64_t>(completed.size() - completed_before));

  // plan_grouped(last_end_ns_, admit = false) with running_ empty: a decode step of the
  // members left, with the admission stop carried over. Of begin_plan()'s resets only
  // these are not already true of the plan just applied (no other sequence, no
  // preemption, no admission).
  plan_.index = next_iteration_++;
  plan_.start_ns = last_end_ns_;
  plan_.shape = hw::BatchShape{};
  plan_.finishing_seqs = 0;
  plan_group_step();
  LLMSIM_CHECK(plan_.shape.decode_seqs == decode_seqs_ &&
                   plan_.shape.decode_kv_tokens == static_cast<double>(decode_context_tokens_ + decode_seqs_),
               "the running decode sums match the group's batch");
  end_plan();
}

void Replica::run_quiet_group_steps(workloads::TimeNs horizon_ns) {
  LLMSIM_CHECK(plan_.group_seqs == group_.size() && plan_.seqs.empty() && plan_.finishing_seqs == 0,
               "a step of the group alone that finishes nobody is in flight");
  // advance() found that can_run_ahead() holds for the step in flight. For each quiet step
  // planned after it, the group, the batch and the admission stop are those of the step it
  // last held for, so only the blocks of the step after it are left to check.
  const bool evictions_allowed = plan_.admission_stop != AdmissionStop::kv_blocks;
  const std::int64_t members = plan_.group_seqs;
  do {
    // apply_group_step() of a step that finishes nobody: every member gets a token, none
    // its last ...
    group_.apply_step(departures_);
    decode_context_tokens_ += members;
    outstanding_tokens_ -= members;
    metrics_->on_itl(plan_.end_ns - last_end_ns_, members);
    report_iteration(members, kv_.num_allocated());
    report_applied_ahead(0);
    // ... and the next step is the same batch with every context one token longer: of
    // the plan only these change.
    plan_.index = next_iteration_++;
    plan_.start_ns = last_end_ns_;
    plan_.finishing_seqs = take_group_step();
    plan_.shape.decode_kv_tokens = static_cast<double>(group_.context_tokens() + members);
    end_plan();
  } while (plan_.finishing_seqs == 0 && plan_.end_ns < horizon_ns &&
           blocks_fit(group_.blocks_for_next_step(), evictions_allowed));
  LLMSIM_CHECK(plan_.shape.decode_seqs == decode_seqs_ &&
                   plan_.shape.decode_kv_tokens == static_cast<double>(decode_context_tokens_ + decode_seqs_),
               "the running decode sums match the group's batch");
}

void Replica::plan_group_step() {
  const std::int64_t members = group_.size();
  plan_.finishing_seqs += take_group_step();
  plan_.group_seqs = members;
  hw::BatchShape& shape = plan_.shape;
  shape.decode_seqs += members;
  shape.decode_kv_tokens += static_cast<double>(group_.context_tokens() + members);
  shape.sampled_seqs += members;
}

bool Replica::plan_grouped(workloads::TimeNs now, bool admit) {
  const EngineConfig& engine = config_.engine;
  // The decode group counts one whole-model block per block_size tokens of each member and
  // keys attended = context + 1: a sliding-window model steps aside to the reference path,
  // and so does DSA (its attention keys are capped at the top-k, its indexer's are not).
  // So does every engine but vLLM V1's planner and admission, which the group reproduces.
  if (!fast_path_engine(engine) || !kv_layout_.plain() || config_.architecture->has_sparse_attention()) return false;
  const AdmissionStop previous_stop = plan_.admission_stop;
  join_group();
  const std::int64_t members = group_.size();
  const std::int64_t budget = engine.max_num_batched_tokens - members;
  if (budget < 0) return false;
  // The reference gives running requests their tokens in admission order while the budget
  // lasts. The group's shortcut (all members first) agrees when the budget covers every
  // request, or when every member was admitted before every other running request.
  std::int64_t left = budget;
  std::int64_t demand = 0;
  std::int64_t blocks = group_.blocks_for_next_step();
  for (const Slot slot : running_) {
    const Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    const std::int64_t remaining = seq.tokens() - seq.computed_tokens;
    LLMSIM_CHECK(remaining >= 1, "a running request has a token to compute");
    demand += remaining;
    if (left <= 0) continue;
    const std::int64_t n = std::min(remaining, left);
    left -= n;
    blocks += std::max<std::int64_t>(0, kv_layout_.blocks_while_computing(seq.computed_tokens, n) -
                                            static_cast<std::int64_t>(seq.blocks.size()));
  }
  const bool members_first =
      running_.empty() || group_.empty() ||
      group_.max_order() < seqs_[static_cast<std::size_t>(running_.front())].admission_order;
  if (demand > budget && !members_first) return false;
  if (blocks > kv_.num_available()) return false;  // the reference preempts

  begin_plan(now);
  if (members > 0) plan_group_step();
  left = budget;
  for (const Slot slot : running_) {
    if (left <= 0) break;
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    const std::int64_t n = std::min(seq.tokens() - seq.computed_tokens, left);
    const bool grown = grow_blocks(seq, n);
    LLMSIM_CHECK(grown, "running requests get the blocks counted as available");
    schedule(slot, n);
    left -= n;
  }
  if (demand <= budget) {
    LLMSIM_CHECK(
        plan_.shape.decode_seqs == decode_seqs_ &&
            plan_.shape.decode_kv_tokens == static_cast<double>(decode_context_tokens_ + decode_seqs_),
        "the running decode sums match the batch of the group and the others");
  }
  if (admit) {
    admit_waiting(*this, left, /*whole_prompts=*/false);
  } else {
    plan_.admission_stop = previous_stop;
  }
  LLMSIM_CHECK(plan_.group_seqs > 0 || !plan_.seqs.empty(),
               "a replica with work schedules at least one sequence");
  LLMSIM_CHECK(plan_.shape.total_new_tokens() <= engine.max_num_batched_tokens,
               "an iteration stays within max_num_batched_tokens");
  end_plan();
  return true;
}

bool Replica::can_run_ahead(bool may_finish) const {
  const EngineConfig& engine = config_.engine;
  if (!fast_path_engine(engine) || !kv_layout_.plain() || config_.architecture->has_sparse_attention()) return false;
  const std::int64_t running = num_running();
  if (plan_.finishing_seqs > 0) {
    // Seats and blocks it frees would admit nobody before the horizon: the queue is empty
    // and nothing arrives. Some running request must be left to plan the next iteration for.
    if (!may_finish || plan_.admission_stop != AdmissionStop::queue_empty ||
        plan_.finishing_seqs >= running) {
      return false;
    }
  }
  // Every running request samples in the iteration in flight: after it every one that did
  // not finish decodes, in step with the group.
  if (plan_.shape.sampled_seqs != running || running > engine.max_num_batched_tokens) return false;
  // The admission it tried fails again in the next iteration: nothing arrives before the
  // horizon, nothing finishes, and the head of the queue does not change.
  bool evictions_allowed = true;
  switch (plan_.admission_stop) {
    case AdmissionStop::queue_empty:
    case AdmissionStop::max_num_seqs:
      break;
    case AdmissionStop::token_budget:
      if (running < engine.max_num_batched_tokens) return false;  // the next has budget left
      break;
    case AdmissionStop::kv_blocks:
      // The head stays blocked while free blocks only shrink and the prefix cache neither
      // gains blocks (the iteration registers none: it computes no prompt tokens, or nothing
      // is registered at all) nor loses them (the next iteration evicts nothing).
      if (plan_.shape.prefill_tokens > 0 && kv_.prefix_caching()) return false;
      evictions_allowed = false;
      break;
    case AdmissionStop::not_tried:
      return false;
  }
  // The others join the group: they must fork nothing and register no more prefix blocks.
  const std::int64_t b = engine.block_size;
  std::int64_t blocks = group_.blocks_for_next_step();
  for (const ScheduledSeq& s : plan_.seqs) {
    const Sequence& seq = seqs_[static_cast<std::size_t>(s.slot)];
    if (seq.generated_tokens == 0 && pending_forks(s.slot) > 0) return false;
    const std::int64_t computed = seq.computed_tokens + s.new_tokens;  // after the iteration
    const auto identifiable = static_cast<std::int64_t>(seq.content_ids.size());
    std::int64_t registered = seq.registered_blocks;
    while (registered < identifiable && (registered + 1) * b <= computed) ++registered;
    if (registered < identifiable) return false;
    // The blocks its next token needs (one when it starts a block).
    blocks += kv_layout_.blocks_while_computing(computed, 1) - kv_layout_.blocks_held(computed);
  }
  return blocks_fit(blocks, evictions_allowed);
}

}  // namespace llmsim::sim
