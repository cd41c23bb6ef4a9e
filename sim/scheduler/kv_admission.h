// KvAdmission rules: whether a waiting request's KV fits, by engine (sim/scenario.h).
#pragma once

#include <cstdint>

#include "sim/scheduler/scheduler_context.h"

namespace llmsim::sim {

/// Blocks that running requests still have set aside under KvAdmission::full_reservation:
/// for each, the blocks of prompt + output tokens less the blocks it holds (never below 0).
std::int64_t reserved_blocks(const SchedulerContext& context);

/// Blocks a whole request (prompt + output tokens) holds at most: what
/// KvAdmission::full_reservation sets aside at admission.
std::int64_t full_request_blocks(const SchedulerContext& context, const Sequence& seq);

/// Whether waiting_front() may be admitted now, taking `blocks_needed` new blocks beside its
/// cached prefix `hit`, under the engine's rule:
///  - step_blocks (vLLM V1): blocks_needed <= available - hit's evictable blocks;
///  - watermark (vLLM V0, BlockSpaceManager.can_allocate): the same, and after it
///    floor(watermark x total blocks) blocks stay free;
///  - full_reservation (TensorRT-LLM GUARANTEED_NO_EVICT): the request's whole blocks
///    (full_request_blocks, less its cached prefix) fit beside `reserved` (reserved_blocks
///    of the running requests).
bool kv_admits(const SchedulerContext& context, const KvBlockManager::PrefixHit& hit,
               std::int64_t blocks_needed, std::int64_t reserved);

}  // namespace llmsim::sim
