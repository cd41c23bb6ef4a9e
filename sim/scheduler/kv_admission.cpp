#include "sim/scheduler/kv_admission.h"

#include <algorithm>
#include <cmath>

namespace llmsim::sim {

std::int64_t full_request_blocks(const SchedulerContext& context, const Sequence& seq) {
  return context.kv_layout().blocks_held(seq.prompt_tokens + seq.output_tokens);
}

std::int64_t owed_output_tokens(const NewTokenRatioRule& rule, const Sequence& seq) {
  return std::clamp<std::int64_t>(seq.output_tokens - seq.generated_tokens, 0, rule.clip_max_new_tokens);
}

std::int64_t reserved_blocks(const SchedulerContext& context) {
  const EngineConfig& engine = context.engine();
  if (engine.admission == KvAdmission::new_token_ratio) {
    // SGLang's running batch holds only decodes; the request still in its prompt (its
    // chunked_req) sets nothing aside. Tokens, rounded up to whole blocks once.
    std::int64_t owed = 0;
    for (const SchedulerContext::Slot slot : context.running()) {
      const Sequence& seq = context.sequence(slot);
      if (seq.decoding()) owed += owed_output_tokens(engine.new_token_ratio, seq);
    }
    const double tokens = context.policy_state().new_token_ratio * static_cast<double>(owed);
    return static_cast<std::int64_t>(std::ceil(tokens / static_cast<double>(engine.block_size)));
  }
  if (engine.admission != KvAdmission::full_reservation) return 0;
  std::int64_t reserved = 0;
  for (const SchedulerContext::Slot slot : context.running()) {
    const Sequence& seq = context.sequence(slot);
    reserved += std::max<std::int64_t>(0, full_request_blocks(context, seq) - context.blocks_held(slot));
  }
  return reserved;
}

std::int64_t ratio_request_blocks(const SchedulerContext& context, const Sequence& seq) {
  return context.kv_layout().blocks_held(seq.tokens() + owed_output_tokens(context.engine().new_token_ratio, seq));
}

std::int64_t admission_set_aside(const SchedulerContext& context, const Sequence& seq,
                                 const KvBlockManager::PrefixHit& hit, std::int64_t blocks_needed,
                                 bool whole_prompt) {
  switch (context.engine().admission) {
    case KvAdmission::full_reservation:
      return std::max<std::int64_t>(0, full_request_blocks(context, seq) - hit.blocks - blocks_needed);
    case KvAdmission::new_token_ratio:
      // _update_prefill_budget: a truncated (chunked) request is charged its chunk only.
      return whole_prompt ? std::max<std::int64_t>(0, ratio_request_blocks(context, seq) - hit.blocks - blocks_needed)
                          : 0;
    case KvAdmission::step_blocks:
    case KvAdmission::watermark:
      return 0;
  }
  return 0;
}

bool kv_admits(const SchedulerContext& context, const KvBlockManager::PrefixHit& hit,
               std::int64_t blocks_needed, std::int64_t reserved) {
  const EngineConfig& engine = context.engine();
  const std::int64_t available = context.blocks_available() - hit.evictable_blocks;
  // A transferred request's blocks were reserved before its KV was sent (disaggregation):
  // the admission rule was applied then, and blocks_available() counts them.
  if (context.sequence(context.waiting_front()).landed_tokens > 0) return blocks_needed <= available;
  switch (engine.admission) {
    case KvAdmission::step_blocks:
      return blocks_needed <= available;
    case KvAdmission::watermark: {
      // vLLM V0: watermark_blocks = int(watermark * num_total_gpu_blocks) (vllm/core/block_manager.py).
      const auto watermark_blocks = static_cast<std::int64_t>(
          std::floor(engine.watermark * static_cast<double>(context.total_blocks())));
      return blocks_needed <= available - watermark_blocks;
    }
    case KvAdmission::full_reservation: {
      const Sequence& seq = context.sequence(context.waiting_front());
      const std::int64_t whole = std::max(blocks_needed, full_request_blocks(context, seq) - hit.blocks);
      return whole <= available - reserved;
    }
    case KvAdmission::new_token_ratio: {
      // add_one_req: prompt + min(max_new_tokens - generated, clip) must fit what the running
      // decodes and this round's admissions leave (rem_total_tokens).
      const Sequence& seq = context.sequence(context.waiting_front());
      const std::int64_t whole = std::max(blocks_needed, ratio_request_blocks(context, seq) - hit.blocks);
      return whole <= available - reserved;
    }
  }
  return false;
}

}  // namespace llmsim::sim
