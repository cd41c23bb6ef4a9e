#include "sim/scheduler/vllm_scheduler.h"

#include <algorithm>

#include "sim/check.h"
#include "sim/scheduler/kv_admission.h"
#include "sim/scheduler/sglang_scheduler.h"

namespace llmsim::sim {

bool schedule_running(SchedulerContext& context, std::int64_t& budget, RunningSteps steps) {
  std::size_t i = 0;
  while (i < context.running().size() && budget > 0) {
    const SchedulerContext::Slot slot = context.running()[i];
    const Sequence& seq = context.sequence(slot);
    const std::int64_t remaining = seq.tokens() - seq.computed_tokens;
    LLMSIM_CHECK(remaining >= 1, "a running request has a token to compute");
    LLMSIM_CHECK(steps != RunningSteps::all_decoding || seq.decoding(),
                 "without chunked prefill running requests are decoding");
    if (steps == RunningSteps::prompt_chunks && seq.decoding()) {
      ++i;
      continue;
    }
    // A speculating decode step verifies its drafts beside its token; a budget that runs
    // short cuts the drafts (vLLM's scheduler does the same to spec tokens).
    const std::int64_t n = std::min(remaining + context.draft_tokens(slot), budget);
    bool self_preempted = false;
    while (!context.grow_blocks(slot, n)) {
      if (context.preempt_last() == slot) {
        self_preempted = true;
        break;
      }
    }
    if (self_preempted) return false;
    context.schedule(slot, n);
    budget -= n;
    ++i;
  }
  return i == context.running().size();
}

void plan_vllm_v1(SchedulerContext& context) {
  std::int64_t budget = context.engine().max_num_batched_tokens;
  const bool all_running_scheduled = schedule_running(context, budget, RunningSteps::all);
  if (all_running_scheduled && context.plan_in_progress().preempted == 0) context.check_decode_sums();
  if (context.plan_in_progress().preempted == 0) admit_waiting(context, budget, /*whole_prompts=*/false);
}

void plan_vllm_v0(SchedulerContext& context) {
  std::int64_t budget = context.engine().max_num_batched_tokens;
  admit_waiting(context, budget, /*whole_prompts=*/true);
  if (context.plan_in_progress().admitted > 0) return;
  schedule_running(context, budget, RunningSteps::all_decoding);
}

void plan_trtllm(SchedulerContext& context) {
  std::int64_t budget = context.engine().max_num_batched_tokens;
  const bool all_running_scheduled = schedule_running(context, budget, RunningSteps::all);
  if (all_running_scheduled && context.plan_in_progress().preempted == 0) context.check_decode_sums();
  if (context.plan_in_progress().preempted == 0) {
    admit_waiting(context, budget, /*whole_prompts=*/!context.engine().chunked_prefill);
  }
}

void plan_with_engine_policy(SchedulerContext& context) {
  if (context.engine().kind == EngineKind::trtllm) {
    plan_trtllm(context);
  } else if (context.engine().kind == EngineKind::sglang && context.engine().chunked_prefill) {
    plan_sglang(context);
  } else if (context.engine().chunked_prefill) {
    plan_vllm_v1(context);
  } else {
    plan_vllm_v0(context);
  }
}

void admit_waiting(SchedulerContext& context, std::int64_t& budget, bool whole_prompts) {
  const EngineConfig& engine = context.engine();
  IterationPlan& plan = context.plan_in_progress();
  std::int64_t reserved = reserved_blocks(context);  // 0 unless the rule sets blocks aside
  while (!context.waiting_empty() && budget > 0 && context.seats_taken() < engine.max_num_seqs) {
    const SchedulerContext::Slot slot = context.waiting_front();
    const Sequence& seq = context.sequence(slot);
    // A request with parallel samples takes a seat for each fork to come.
    if (context.seats_taken() + 1 + context.pending_forks(slot) > engine.max_num_seqs) break;
    // KV that landed from a prefill replica (disaggregation) is present without a cache
    // lookup: admission allocates its blocks and computes the rest.
    const KvBlockManager::PrefixHit hit = seq.landed_tokens > 0 ? KvBlockManager::PrefixHit{} : context.prefix_hit(slot);
    const std::int64_t hit_tokens = seq.landed_tokens > 0 ? seq.landed_tokens : hit.cached_blocks() * engine.block_size;
    const std::int64_t rest = seq.tokens() - hit_tokens;
    std::int64_t n = std::min(rest, budget);
    if (whole_prompts) {
      n = rest;
      const bool batch_empty = plan.seqs.empty() && budget == engine.max_num_batched_tokens;
      // A whole prompt must fit the budget; only a preempted request's recompute (prompt +
      // generated) may exceed it, and then it runs alone.
      if (rest > budget && !(batch_empty && seq.generated_tokens > 0)) {
        plan.admission_stop = AdmissionStop::token_budget;
        return;
      }
    }
    const std::int64_t blocks_needed = context.kv_layout().blocks_while_computing(hit_tokens, n) - hit.blocks;
    if (!kv_admits(context, hit, blocks_needed, reserved)) {
      plan.admission_stop = AdmissionStop::kv_blocks;
      return;
    }
    // What the request sets aside beyond the blocks it takes now (kv_admission.h).
    const std::int64_t set_aside = admission_set_aside(context, seq, hit, blocks_needed, n == rest);
    context.admit_front(hit, blocks_needed, n);
    reserved += set_aside;
    budget = std::max<std::int64_t>(0, budget - n);
  }
  if (context.waiting_empty()) {
    plan.admission_stop = AdmissionStop::queue_empty;
  } else if (budget <= 0) {
    plan.admission_stop = AdmissionStop::token_budget;
  } else {
    plan.admission_stop = AdmissionStop::max_num_seqs;
  }
}

}  // namespace llmsim::sim
