// The summary's kv_offload section: what crossed a run's KV offload tiers.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/engine/kv_offload.h"

namespace llmsim::sim {

/// Adds summary["kv_offload"] when some replica has offload tiers (`replicas`: every
/// replica's KvOffloadTiers, null for none). Tiers of the same kind are summed over
/// replicas (and pools):
///   kv_offload {gpu_hit_tokens, gpu_hit_rate, tiers [{tier ("host_dram", "nvme"),
///     capacity_blocks (summed over replicas), hit_tokens, hit_rate, bytes_in (written into
///     the tier: from the GPU for the first tier, demoted from the tier above for the
///     next), bytes_loaded (tier -> GPU), blocks_dropped (pushed out of the tier),
///     load_time_s (sum of bytes_loaded / bandwidth)}]}
/// Hit tokens are prompt tokens not recomputed at a request's first admission, as
/// cache.cached_tokens counts them: gpu_hit_tokens = cached_tokens - the tiers' hit_tokens;
/// rates divide by cache.prompt_tokens (admitted_prompt_tokens). Bytes are per GPU.
void add_kv_offload_summary(nlohmann::ordered_json& summary, const std::vector<const KvOffloadTiers*>& replicas,
                            std::int64_t cached_tokens, std::int64_t admitted_prompt_tokens);

}  // namespace llmsim::sim
