// RequestSpec: one inference request as a workload hands it to the simulator.
#pragma once

#include <cstdint>
#include <vector>

namespace llmsim::workloads {

/// Simulated time: integer nanoseconds since the start of the run (DESIGN.md section 4).
using TimeNs = std::int64_t;

struct RequestSpec {
  std::uint64_t id = 0;         ///< unique within a run, assigned in arrival order
  TimeNs arrival_ns = 0;        ///< when it reaches the router
  std::int64_t input_tokens = 0;   ///< prompt length, > 0
  std::int64_t output_tokens = 0;  ///< tokens to generate, > 0 (1 = prefill only, e.g. a PRM call)
  /// Content identities of the prompt's prefix, one per `prefix_block_tokens` tokens, in order
  /// (Mooncake hash_ids use 512-token blocks). Equal hashes at equal positions mean equal
  /// content, so the prefix cache may reuse them. Empty: the prompt shares nothing.
  std::vector<std::uint64_t> prefix_hashes;
  std::int64_t prefix_block_tokens = 512;
  /// Variable-length prefix segments: when non-empty (same size as prefix_hashes),
  /// prefix_hashes[k] identifies the next prefix_segment_tokens[k] (> 0) tokens and
  /// prefix_block_tokens is not used (test-time-compute prompts: question, then steps).
  std::vector<std::int64_t> prefix_segment_tokens;
  std::int32_t priority = 0;    ///< lower runs first under the `priority` policy
  /// Speculative decoding: the request's own mean acceptance length (tokens per verify step,
  /// bonus included, in [1, num_speculative_tokens + 1]) in place of the engine's
  /// acceptance (sim/engine/speculative.h acceptance_for_length); 0: the engine's.
  double acceptance_length = 0.0;

  /// Parallel sampling (vLLM's n > 1): the output lengths (each > 0) of samples 2..n; the
  /// first sample's is output_tokens. The prompt is prefilled once; at the end of the
  /// iteration that samples the first token the sequence forks, every sample sharing the
  /// prompt's KV blocks (PagedAttention, Kwon et al. SOSP 2023, section 4.4), and each
  /// decodes until its own length. The request completes when all n samples have.
  /// Empty: one sample.
  std::vector<std::int64_t> forked_sample_output_tokens;
  /// Content ids of the samples' outputs (first sample, then the forks) when the prompt is
  /// wholly covered by prefix segments; empty: outputs are not identified. With prefix
  /// caching, a sample's full KV blocks are then registered as the continuation
  /// [prompt segments, {hash, its length}], so a later prompt that carries that segment
  /// reuses them.
  std::vector<std::uint64_t> sample_output_hashes;
  /// Index of the pool (Scenario.pools) that serves it; -1: the first pool.
  std::int32_t pool = -1;
  /// The multi-turn session it is a turn of (sim/cluster/session_request_source.h), for
  /// session-affinity routing; -1: none.
  std::int64_t session = -1;

  std::int64_t num_samples() const {
    return 1 + static_cast<std::int64_t>(forked_sample_output_tokens.size());
  }
  /// Output tokens of all samples together.
  std::int64_t total_output_tokens() const {
    std::int64_t total = output_tokens;
    for (const std::int64_t tokens : forked_sample_output_tokens) total += tokens;
    return total;
  }
  /// The longest sample's output tokens.
  std::int64_t max_output_tokens() const {
    std::int64_t longest = output_tokens;
    for (const std::int64_t tokens : forked_sample_output_tokens) longest = tokens > longest ? tokens : longest;
    return longest;
  }
};

}  // namespace llmsim::workloads
