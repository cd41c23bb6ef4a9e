// The data of a disaggregated scenario (Scenario.disaggregation); sim/cluster/disaggregation.h
// tells how the simulator uses it.
#pragma once

#include <cstdint>

namespace llmsim::sim {

/// The link a KV transfer crosses. A transfer from a prefill replica of tp_p GPUs to a decode
/// replica of tp_d GPUs is striped over `lanes` = min(tp_p, tp_d) GPU pairs (each tensor-
/// parallel rank sends its share of the KV heads from its own GPU), each lane at
/// `bandwidth_bytes_per_s`.
struct KvLink {
  enum class Kind { scale_up, scale_out };
  Kind kind = Kind::scale_out;
  double bandwidth_bytes_per_s = 0.0;  ///< per lane (one GPU's link), one direction, > 0
  double latency_s = 0.0;              ///< once per transfer, >= 0
  int lanes = 1;                       ///< GPU pairs that carry it at once, >= 1

  /// Seconds one transfer of `bytes` takes on the link: latency + bytes / (lanes x bandwidth).
  double transfer_s(double bytes) const {
    return latency_s + bytes / (static_cast<double>(lanes) * bandwidth_bytes_per_s);
  }
};

/// Scenario.disaggregation: pools by index into Scenario.pools.
struct DisaggregationSpec {
  std::int32_t prefill_pool = 0;
  std::int32_t decode_pool = 1;
  /// > 0: prompts of fewer tokens are prefilled on the decode pool (no transfer); 0: never.
  std::int64_t local_prefill_below = 0;
  KvLink link;
  /// KV bytes of one prompt token, all layers and KV heads (core::kv_cache_bytes_per_token at
  /// the prefill pool's precision.kv_cache).
  double kv_bytes_per_token = 0.0;
};

}  // namespace llmsim::sim
