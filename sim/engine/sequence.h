// Sequence: the scheduler's state of one request on a replica, from arrival to completion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/engine/kv_block_manager.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

/// Index of a request's RequestRecord in the run's record table.
using RequestIndex = std::size_t;

/// Token accounting follows vLLM: a sequence holds tokens() = prompt + generated tokens;
/// computed_tokens of them have KV in the cache. Each iteration computes some of the rest;
/// when it computes the last one the iteration samples a new token (generated + 1).
/// Preemption drops the KV (computed_tokens = 0) and keeps the generated tokens, which are
/// recomputed with the prompt on re-admission, less the blocks still in the prefix cache
/// (registered prompt blocks, then the parked ones: ParkedBlocks).
struct Sequence {
  RequestIndex request = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t generated_tokens = 0;
  std::int64_t computed_tokens = 0;
  /// Leading tokens whose KV arrived from another replica (disaggregated prefill) and waits
  /// for admission, which allocates their blocks, computes none of them and looks nothing
  /// up in the prefix cache; 0 once admitted (a later preemption recomputes them here).
  std::int64_t landed_tokens = 0;
  std::int64_t registered_blocks = 0;  ///< leading blocks whose content is in the prefix cache
  std::int64_t last_token_iteration = -1;  ///< replica iteration that sampled its last token
  workloads::TimeNs last_token_ns = -1;
  std::uint64_t admission_order = 0;  ///< when it last joined the running requests (replica-wide count)
  bool admitted_before = false;
  bool done = false;
  /// Speculative decoding: the request's own acceptance probability at every draft position
  /// (RequestSpec::acceptance_length); < 0: the engine's acceptance.
  double acceptance_p = -1.0;
  BlockList blocks;                         ///< KV blocks, in token order
  std::vector<std::uint64_t> content_ids;       ///< identifiable prompt blocks (block_content_ids.h)
  std::int64_t parked_after = 0;  ///< registered blocks its parked blocks follow (ParkedBlocks)

  std::int64_t tokens() const { return prompt_tokens + generated_tokens; }
  /// In the decode phase: only the last sampled token is still to compute.
  bool decoding() const { return generated_tokens >= 1 && computed_tokens + 1 == tokens(); }
};

}  // namespace llmsim::sim
