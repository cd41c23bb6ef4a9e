// SGLang's scheduling policy, as a function of a SchedulerContext (DESIGN.md section 4).
#pragma once

#include "sim/scheduler/scheduler_context.h"

namespace llmsim::sim {

/// SGLang's scheduler loop (python/sglang/srt/managers/scheduler.py get_next_batch_to_run,
/// get_new_batch_prefill, update_running_batch), with chunked prefill:
///  - without mixed_chunk (SGLang's default): a prefill batch whenever one can be formed,
///    the running request still in its prompt (SGLang's chunked_req) first, then waiting
///    requests admitted under KvAdmission::new_token_ratio, up to max_num_batched_tokens
///    (chunked_prefill_size). The running decodes do not step in that iteration. Only when no
///    prefill batch forms does every running request decode a token (a decode batch);
///  - with mixed_chunk (--enable-mixed-chunk): the running requests' tokens and the
///    admissions share one iteration, as plan_vllm_v1 plans it.
/// A decode batch whose next tokens find no KV blocks retracts running requests
/// (preempt_last) until they do, and sets the new_token_ratio from the requests left
/// (NewTokenRatioRule); one that retracts nothing decays the ratio.
/// Not modelled: SGLang retracts the request with the fewest output tokens (longest prompt on
/// ties) and appends it to the waiting queue; llmsim retracts the most recently admitted and
/// puts it first, as for vLLM.
void plan_sglang(SchedulerContext& context);

}  // namespace llmsim::sim
