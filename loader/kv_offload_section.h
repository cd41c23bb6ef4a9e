// deployment.kv_offload: the KV offload tiers of a pool (internal to loader/).
#pragma once

#include "loader/yaml_map.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// Reads `kv_offload` of a deployment map (absent: no tiers):
///   kv_offload:
///     host_dram: {capacity_gib: 64, bandwidth_gb_per_s: 64}   # optional
///     nvme: {capacity_gib: 1024, bandwidth_gb_per_s: 7}       # optional
/// At least one tier; capacity_gib >= 0 (GiB = 2^30 bytes, per GPU), bandwidth_gb_per_s > 0
/// (GB/s = 10^9 bytes per second, per GPU and direction), both required: a missing
/// bandwidth is an error, never a default. Tiers are ordered host_dram, then nvme.
sim::KvOffloadSpec read_kv_offload(YamlMap& deployment);

/// Checks a pool's tiers against its engine and KV block size, located at
/// deployment.kv_offload: prefix caching must be on (the tiers hold prefix blocks) and a
/// tier holds at most 2^31-1 blocks. Precondition: the pool is fully read.
void check_kv_offload(const YamlMap& deployment, const sim::PoolSpec& pool);

}  // namespace llmsim::loader
