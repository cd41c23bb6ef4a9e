// KvAdmission rules: whether a waiting request's KV fits, by engine (sim/scenario.h).
#pragma once

#include <cstdint>

#include "sim/scheduler/scheduler_context.h"

namespace llmsim::sim {

/// Blocks that running requests still have set aside:
///  - full_reservation: for each, the blocks of prompt + output tokens less the blocks it
///    holds (never below 0);
///  - new_token_ratio: ceil(new_token_ratio x the owed_output_tokens of the decoding ones
///    / block_size) (NewTokenRatioRule);
///  - otherwise 0.
std::int64_t reserved_blocks(const SchedulerContext& context);

/// SGLang's estimate of the output a request may still produce: min(output - generated,
/// clip_max_new_tokens), never below 0.
std::int64_t owed_output_tokens(const NewTokenRatioRule& rule, const Sequence& seq);

/// KvAdmission::new_token_ratio: the blocks of the request's tokens so far plus its
/// owed_output_tokens.
std::int64_t ratio_request_blocks(const SchedulerContext& context, const Sequence& seq);

/// What admitting `seq` (with cached prefix `hit`, taking `blocks_needed` blocks now) adds to
/// the reserved blocks of later admissions in the same iteration: full_reservation its
/// whole request's remaining blocks; new_token_ratio its ratio_request_blocks' rest when its
/// whole prompt is admitted (`whole_prompt`), nothing for a chunk; otherwise 0.
std::int64_t admission_set_aside(const SchedulerContext& context, const Sequence& seq,
                                 const KvBlockManager::PrefixHit& hit, std::int64_t blocks_needed,
                                 bool whole_prompt);

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
///    of the running requests);
///  - new_token_ratio (SGLang add_one_req): its ratio_request_blocks, less its cached
///    prefix, fit beside `reserved`.
bool kv_admits(const SchedulerContext& context, const KvBlockManager::PrefixHit& hit,
               std::int64_t blocks_needed, std::int64_t reserved);

}  // namespace llmsim::sim
