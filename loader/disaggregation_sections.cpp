#include "loader/disaggregation_sections.h"

#include "core/architecture.h"
#include "core/byte_counts.h"
#include "sim/cluster/disaggregation.h"

namespace llmsim::loader {
namespace {

std::int32_t pool_named(YamlMap& section, const std::string& key, const std::vector<sim::PoolSpec>& pools) {
  const std::string name = section.required_string(key);
  std::string names;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    if (pools[p].name == name) return static_cast<std::int32_t>(p);
    names += (p == 0 ? "" : ", ") + pools[p].name;
  }
  section.fail(key, "no pool is named \"" + name + "\" (pools: " + names + ")");
}

}  // namespace

sim::DisaggregationSpec read_disaggregation(YamlMap& scenario, const std::vector<sim::PoolSpec>& pools) {
  if (!scenario.has("pools")) {
    scenario.fail("disaggregation", "a disaggregated scenario lists its prefill and decode pools under pools:");
  }
  YamlMap section = scenario.required_map("disaggregation");
  sim::DisaggregationSpec spec;
  spec.prefill_pool = pool_named(section, "prefill_pool", pools);
  spec.decode_pool = pool_named(section, "decode_pool", pools);
  spec.local_prefill_below = section.optional_int("local_prefill_below", 0);
  if (spec.local_prefill_below < 0) {
    section.fail("local_prefill_below", "expected an integer >= 0 (0: every prompt is prefilled on the prefill pool), got " +
                                            std::to_string(spec.local_prefill_below));
  }
  section.finish();
  if (spec.prefill_pool == spec.decode_pool) {
    section.fail("decode_pool", "the decode pool must differ from the prefill pool");
  }
  if (pools.size() != 2) {
    scenario.fail("pools", "a disaggregated scenario has two pools (prefill and decode), got " +
                               std::to_string(pools.size()));
  }
  const sim::PoolSpec& prefill = pools[static_cast<std::size_t>(spec.prefill_pool)];
  const sim::PoolSpec& decode = pools[static_cast<std::size_t>(spec.decode_pool)];
  if (prefill.model.id != decode.model.id) {
    section.fail("decode_pool", "the decode pool serves model " + decode.model.id + ", the prefill pool " +
                                    prefill.model.id + ": the KV cache is handed over, so both serve one model");
  }
  if (prefill.precision.kv_cache != decode.precision.kv_cache) {
    section.fail("decode_pool", "the pools keep their KV caches in different dtypes (precision.kv_cache): the transferred "
                                "KV cache is used as it is");
  }
  if (!prefill.colocated_with.empty() || !decode.colocated_with.empty()) {
    section.fail("decode_pool", "disaggregated pools have GPUs of their own (no colocated_with)");
  }
  if (core::Architecture(prefill.model).has_sliding_window()) {
    section.fail("prefill_pool", "model " + prefill.model.id +
                                     " has sliding-window layers: the size of their transferred KV is not modelled yet");
  }
  const core::Architecture prefill_architecture(prefill.model);
  if (prefill_architecture.has_linear_attention() || prefill_architecture.has_chunked_attention()) {
    section.fail("prefill_pool", "model " + prefill.model.id +
                                     (prefill_architecture.has_linear_attention() ? " has linear-attention" : " has chunked-attention") +
                                     " layers: the size of their transferred KV and state is not modelled yet");
  }
  if (const auto problem = sim::kv_link_between(prefill, decode, spec.link)) section.fail("decode_pool", *problem);
  spec.kv_bytes_per_token = core::kv_cache_bytes_per_token(prefill.model, prefill.precision.kv_cache);
  return spec;
}

}  // namespace llmsim::loader
