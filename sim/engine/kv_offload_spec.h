// KvOffloadSpec: the KV offload tiers below a replica's GPU KV cache, as plain data.
#pragma once

#include <string_view>
#include <vector>

namespace llmsim::sim {

/// Where a tier lives. The order of a spec's tiers is the order blocks fall through:
/// GPU -> host_dram -> nvme (LMCache's local CPU and local disk backends; SGLang HiCache's
/// L2 host memory and L3 storage).
enum class KvTierKind { host_dram, nvme };

inline std::string_view kv_tier_name(KvTierKind kind) {
  return kind == KvTierKind::host_dram ? "host_dram" : "nvme";
}

/// One tier of one replica: its own capacity and the bandwidth of one GPU's link to it.
/// Bytes are per GPU of the tensor-parallel group (each GPU offloads the KV heads it owns
/// over its own PCIe link, as KvCapacity::block_bytes counts them).
struct KvOffloadTierSpec {
  KvTierKind kind = KvTierKind::host_dram;
  double capacity_bytes = 0.0;         ///< per GPU, >= 0 (0: the tier keeps nothing)
  double bandwidth_bytes_per_s = 0.0;  ///< per GPU, > 0, each direction
};

/// deployment.kv_offload: empty tiers = no offload.
struct KvOffloadSpec {
  std::vector<KvOffloadTierSpec> tiers;
  bool enabled() const { return !tiers.empty(); }
};

}  // namespace llmsim::sim
