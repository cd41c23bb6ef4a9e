// vLLM's scheduling policies, as functions of a SchedulerContext (DESIGN.md section 4).
#pragma once

#include <cstdint>

#include "sim/scheduler/scheduler_context.h"

namespace llmsim::sim {

/// Which running requests schedule_running steps.
enum class RunningSteps {
  all,           ///< every one (vLLM V1, TensorRT-LLM, SGLang's decode batch)
  all_decoding,  ///< every one, each checked to be decoding (vLLM V0: no chunked prefill)
  prompt_chunks, ///< only those still in their prompt (SGLang's prefill batch: its chunked_req)
};

/// Running requests (those `steps` picks) get their next tokens (one decode token, or the
/// next prompt chunk min(remaining, budget)) in admission order while `budget` lasts; when
/// their KV blocks run out the most recently admitted running request is preempted,
/// repeatedly. Returns whether every running request was passed (false also when a request
/// preempted itself).
bool schedule_running(SchedulerContext& context, std::int64_t& budget, RunningSteps steps);

/// vLLM V1 (chunked prefill on). Each iteration, with a budget of max_num_batched_tokens
/// new tokens:
///  1. running requests in admission order each get their next tokens: one decode token,
///     or the next prompt chunk min(remaining, budget). Their new tokens need KV blocks;
///     when none are left the most recently admitted running request is preempted (it goes
///     to the FRONT of the waiting queue and later recomputes prompt plus generated tokens),
///     repeatedly; if that is the request itself it is preempted and the step stops. When
///     the budget runs out later running requests skip this iteration.
///  2. if nothing was preempted in step 1, waiting requests are admitted (admit_waiting).
void plan_vllm_v1(SchedulerContext& context);

/// vLLM V0's default scheduler (chunked prefill off): first admit waiting requests whose
/// whole remaining prompt fits the budget (a preempted request whose recompute alone
/// exceeds the budget is admitted alone, in an otherwise empty batch, so it cannot starve);
/// an iteration that admitted any runs those prefills only. Otherwise every running request
/// decodes one token, preempting as V1 does.
void plan_vllm_v0(SchedulerContext& context);

/// TensorRT-LLM's in-flight batching (its default capacity scheduler GUARANTEED_NO_EVICT and
/// micro-batch scheduler; nvidia.github.io/TensorRT-LLM, "Scheduler" and "Useful Runtime
/// Options"): running requests first, as plan_vllm_v1's step 1 (generation requests, and
/// the next chunk of a chunked context), then waiting requests admitted into the same
/// iteration while the token budget (max_num_tokens) lasts: whole prompts unless chunked
/// context is enabled. The engine's admission reserves each request's whole KV
/// (KvAdmission::full_reservation), so running requests always find their blocks and are
/// never preempted (kept as a fallback only for shared prefix blocks evicted meanwhile).
void plan_trtllm(SchedulerContext& context);

/// Step 2 of all: waiting requests in queue order while the budget, max_num_seqs (with a
/// seat for every parallel sample to come) and the engine's KV admission rule
/// (sim/scheduler/kv_admission.h) allow; prefix-cache hits
/// (whole blocks) reduce what is computed; the first chunk is min(rest, budget), or with
/// `whole_prompts` the whole rest, which must fit the budget. A head that does not fit
/// stops admission (head-of-line, no skipping). Sets plan_in_progress().admission_stop. `budget` is
/// what is left of the iteration's token budget, and is reduced by what is admitted.
void admit_waiting(SchedulerContext& context, std::int64_t& budget, bool whole_prompts);

/// The policy for the engine: plan_trtllm for TensorRT-LLM, plan_sglang
/// (sim/scheduler/sglang_scheduler.h) for SGLang with chunked prefill; otherwise plan_vllm_v1
/// with chunked prefill and plan_vllm_v0 without.
void plan_with_engine_policy(SchedulerContext& context);

}  // namespace llmsim::sim
