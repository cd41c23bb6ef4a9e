#include "loader/kv_offload_section.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "sim/engine/kv_capacity.h"

namespace llmsim::loader {
namespace {

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;
constexpr double kBytesPerGb = 1e9;
/// Far above any host or drive (1 PiB), so that capacity x 2^30 stays exact and finite.
constexpr double kMaxCapacityGib = 1024.0 * 1024.0;

sim::KvOffloadTierSpec read_tier(YamlMap& tier, sim::KvTierKind kind) {
  sim::KvOffloadTierSpec spec;
  spec.kind = kind;
  const double capacity_gib = tier.require_non_negative("capacity_gib", tier.required_number("capacity_gib"));
  if (capacity_gib > kMaxCapacityGib) {
    tier.fail("capacity_gib", "expected at most " + std::to_string(static_cast<std::int64_t>(kMaxCapacityGib)) +
                                  " GiB per GPU");
  }
  spec.capacity_bytes = capacity_gib * kBytesPerGib;
  spec.bandwidth_bytes_per_s =
      tier.require_positive("bandwidth_gb_per_s", tier.required_number("bandwidth_gb_per_s")) * kBytesPerGb;
  tier.finish();
  return spec;
}

}  // namespace

sim::KvOffloadSpec read_kv_offload(YamlMap& deployment) {
  sim::KvOffloadSpec spec;
  std::optional<YamlMap> offload = deployment.optional_map("kv_offload");
  if (!offload) return spec;
  if (auto host = offload->optional_map("host_dram")) spec.tiers.push_back(read_tier(*host, sim::KvTierKind::host_dram));
  if (auto nvme = offload->optional_map("nvme")) spec.tiers.push_back(read_tier(*nvme, sim::KvTierKind::nvme));
  offload->finish();
  if (spec.tiers.empty()) offload->fail_here("expected at least one tier: host_dram or nvme");
  return spec;
}

void check_kv_offload(const YamlMap& deployment, const sim::PoolSpec& pool) {
  if (!pool.kv_offload.enabled()) return;
  if (!pool.engine.prefix_caching) {
    deployment.fail("kv_offload", "needs engine.prefix_caching: true (the tiers keep evicted prefix blocks)");
  }
  const double block_bytes = sim::kv_capacity(pool).block_bytes;
  if (!(block_bytes > 0.0)) return;  // check_pool_fits reports a pool without a KV cache
  for (const sim::KvOffloadTierSpec& tier : pool.kv_offload.tiers) {
    if (std::floor(tier.capacity_bytes / block_bytes) > static_cast<double>(std::numeric_limits<std::int32_t>::max())) {
      deployment.fail("kv_offload", std::string(sim::kv_tier_name(tier.kind)) +
                                        " holds more than 2^31-1 KV blocks of this pool; use a smaller capacity_gib");
    }
  }
}

}  // namespace llmsim::loader
