#include "sim/metrics/kv_offload_summary.h"

#include <array>
#include <string>

namespace llmsim::sim {
namespace {

double share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

void add_kv_offload_summary(nlohmann::ordered_json& summary, const std::vector<const KvOffloadTiers*>& replicas,
                            std::int64_t cached_tokens, std::int64_t admitted_prompt_tokens) {
  struct Sum {
    bool present = false;
    KvTierStats stats;
    double bytes_in = 0.0;
    double bytes_loaded = 0.0;
  };
  std::array<Sum, 2> sums;  // by KvTierKind, in fall-through order
  bool any = false;
  for (const KvOffloadTiers* tiers : replicas) {
    if (tiers == nullptr) continue;
    any = true;
    for (std::size_t t = 0; t < tiers->num_tiers(); ++t) {
      Sum& sum = sums[static_cast<std::size_t>(tiers->kind(t))];
      const KvTierStats& s = tiers->stats(t);
      sum.present = true;
      sum.stats.capacity_blocks += s.capacity_blocks;
      sum.stats.blocks_in += s.blocks_in;
      sum.stats.blocks_loaded += s.blocks_loaded;
      sum.stats.blocks_dropped += s.blocks_dropped;
      sum.stats.hit_tokens += s.hit_tokens;
      sum.stats.load_time_s += s.load_time_s;
      sum.bytes_in += static_cast<double>(s.blocks_in) * tiers->block_bytes();
      sum.bytes_loaded += static_cast<double>(s.blocks_loaded) * tiers->block_bytes();
    }
  }
  if (!any) return;
  std::int64_t tier_hits = 0;
  nlohmann::ordered_json tiers = nlohmann::ordered_json::array();
  for (std::size_t k = 0; k < sums.size(); ++k) {
    const Sum& sum = sums[k];
    if (!sum.present) continue;
    tier_hits += sum.stats.hit_tokens;
    nlohmann::ordered_json j;
    j["tier"] = std::string(kv_tier_name(static_cast<KvTierKind>(k)));
    j["capacity_blocks"] = sum.stats.capacity_blocks;
    j["hit_tokens"] = sum.stats.hit_tokens;
    j["hit_rate"] = share(sum.stats.hit_tokens, admitted_prompt_tokens);
    j["bytes_in"] = sum.bytes_in;
    j["bytes_loaded"] = sum.bytes_loaded;
    j["blocks_dropped"] = sum.stats.blocks_dropped;
    j["load_time_s"] = sum.stats.load_time_s;
    tiers.push_back(j);
  }
  nlohmann::ordered_json section;
  section["gpu_hit_tokens"] = cached_tokens - tier_hits;
  section["gpu_hit_rate"] = share(cached_tokens - tier_hits, admitted_prompt_tokens);
  section["tiers"] = tiers;
  summary["kv_offload"] = section;
}

}  // namespace llmsim::sim
