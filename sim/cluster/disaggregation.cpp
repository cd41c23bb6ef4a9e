#include "sim/cluster/disaggregation.h"

#include <algorithm>

namespace llmsim::sim {

std::optional<std::string> kv_link_between(const PoolSpec& prefill, const PoolSpec& decode, KvLink& link) {
  // A request's KV lives on one attention rank (tensor_parallel GPUs) on either side, so its
  // transfer is striped over the smaller TP; every GPU of a replica (PP x DP x TP) counts
  // towards the domain.
  link.lanes = std::max(1, std::min(prefill.tensor_parallel, decode.tensor_parallel));
  const int gpus = prefill.replicas * prefill.gpus_per_replica() + decode.replicas * decode.gpus_per_replica();
  const hw::Fabric& fabric = prefill.hardware.fabric;
  if (prefill.hardware.id == decode.hardware.id && fabric.scale_up_domain_gpus > 0 &&
      gpus <= fabric.scale_up_domain_gpus) {
    link.kind = KvLink::Kind::scale_up;
    link.bandwidth_bytes_per_s = prefill.hardware.interconnect_bandwidth_bytes_per_s;
    link.latency_s = prefill.hardware.interconnect_latency_s;
    if (link.bandwidth_bytes_per_s <= 0.0) {
      return "hardware " + prefill.hardware.id + " states no interconnect_bandwidth_gb_per_s for the KV transfer";
    }
    return std::nullopt;
  }
  for (const PoolSpec* pool : {&prefill, &decode}) {
    if (!pool->hardware.fabric.has_scale_out()) {
      return "the pools' " + std::to_string(gpus) + " GPUs do not share one scale-up domain, so the KV transfer " +
             "crosses scale-out links, and hardware " + pool->hardware.id +
             " (pool \"" + pool->name + "\") states none (scale_out_bandwidth_gb_per_s, scale_out_latency_us)";
    }
  }
  link.kind = KvLink::Kind::scale_out;
  link.bandwidth_bytes_per_s = std::min(prefill.hardware.fabric.scale_out_bandwidth_bytes_per_s,
                                        decode.hardware.fabric.scale_out_bandwidth_bytes_per_s);
  link.latency_s = std::max(prefill.hardware.fabric.scale_out_latency_s, decode.hardware.fabric.scale_out_latency_s);
  return std::nullopt;
}

}  // namespace llmsim::sim
