#include "sim/scheduler/sglang_scheduler.h"

#include <algorithm>

#include "sim/check.h"
#include "sim/scheduler/vllm_scheduler.h"

namespace llmsim::sim {
namespace {

/// The new_token_ratio after a retraction: min(1, (sum generated + retract_decode_steps x n)
/// / (sum output + 1)) over the n running requests (new_token_ratio_tracker.py).
double ratio_after_retraction(const SchedulerContext& context) {
  std::int64_t generated = 0;
  std::int64_t max_new = 0;
  for (const SchedulerContext::Slot slot : context.running()) {
    const Sequence& seq = context.sequence(slot);
    generated += seq.generated_tokens;
    max_new += seq.output_tokens;
  }
  const auto running = static_cast<std::int64_t>(context.running().size());
  const double steps = static_cast<double>(context.engine().new_token_ratio.retract_decode_steps);
  return std::min(1.0, (static_cast<double>(generated) + steps * static_cast<double>(running)) /
                           static_cast<double>(max_new + 1));
}

/// After a decode batch: a retraction resets the ratio from the requests left, otherwise it
/// decays toward its floor (scheduler.py update_running_batch).
void update_ratio(SchedulerContext& context) {
  const NewTokenRatioRule& rule = context.engine().new_token_ratio;
  double& ratio = context.policy_state().new_token_ratio;
  if (context.plan_in_progress().preempted > 0) {
    ratio = ratio_after_retraction(context);
  } else {
    ratio = std::max(ratio - rule.decay_per_step(), rule.min_ratio());
  }
}

}  // namespace

void plan_sglang(SchedulerContext& context) {
  const EngineConfig& engine = context.engine();
  LLMSIM_CHECK(engine.chunked_prefill, "SGLang's policy is planned with chunked prefill (the loader checks it)");
  IterationPlan& plan = context.plan_in_progress();
  std::int64_t budget = engine.max_num_batched_tokens;
  if (engine.mixed_chunk) {
    plan_vllm_v1(context);
    if (plan.shape.decode_seqs > 0 || plan.preempted > 0) update_ratio(context);
    return;
  }
  // A prefill batch when one forms: the request still in its prompt, then admissions.
  schedule_running(context, budget, RunningSteps::prompt_chunks);
  if (plan.preempted == 0) admit_waiting(context, budget, /*whole_prompts=*/false);
  if (!plan.seqs.empty()) return;
  // Otherwise a decode batch of every running request (a prompt chunk that preempted itself
  // above left only decodes).
  schedule_running(context, budget, RunningSteps::all);
  update_ratio(context);
}

}  // namespace llmsim::sim
