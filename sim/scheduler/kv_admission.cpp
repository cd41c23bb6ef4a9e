#include "sim/scheduler/kv_admission.h"

#include <algorithm>
#include <cmath>

namespace llmsim::sim {

std::int64_t full_request_blocks(const SchedulerContext& context, const Sequence& seq) {
  return context.kv_layout().blocks_held(seq.prompt_tokens + seq.output_tokens);
}

std::int64_t reserved_blocks(const SchedulerContext& context) {
  std::int64_t reserved = 0;
  for (const SchedulerContext::Slot slot : context.running()) {
    const Sequence& seq = context.sequence(slot);
    reserved += std::max<std::int64_t>(0, full_request_blocks(context, seq) - context.blocks_held(slot));
  }
  return reserved;
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
  }
  return false;
}

}  // namespace llmsim::sim
