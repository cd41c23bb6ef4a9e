// RequestRecord: what happened to one request, one row of requests.csv.
#pragma once

#include <cstdint>
#include <string_view>

#include "workloads/request_spec.h"

namespace llmsim::sim {

using workloads::TimeNs;

enum class RequestStatus { unfinished, completed, rejected };

/// Why a request was rejected at arrival (it could never run, so it is not queued).
enum class RejectReason {
  none,
  kv_capacity,     ///< input + output - 1 tokens need more KV blocks than the replica has
  batch_budget,    ///< chunked_prefill off and the prompt exceeds max_num_batched_tokens
  context_length,  ///< input + output exceed the model's max_position_embeddings
};

std::string_view to_string(RequestStatus status);
std::string_view to_string(RejectReason reason);

/// Times are simulated nanoseconds since t = 0; -1 means "did not happen".
struct RequestRecord {
  std::uint64_t id = 0;
  std::int32_t pool = -1;     ///< index into Scenario.pools
  std::int32_t replica = -1;  ///< replica within the pool; -1 when rejected before routing
  RequestStatus status = RequestStatus::unfinished;
  RejectReason reject_reason = RejectReason::none;
  TimeNs arrival_ns = 0;
  TimeNs scheduled_ns = -1;    ///< start of the first iteration that included it
  TimeNs first_token_ns = -1;  ///< end of the iteration that sampled its first token
  TimeNs completion_ns = -1;   ///< end of the iteration that sampled its last token
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;     ///< requested, all parallel samples together
  std::int64_t generated_tokens = 0;  ///< produced (== output_tokens once completed)
  std::int64_t cached_tokens = 0;     ///< prompt tokens served by the prefix cache at first admission
  std::int32_t preemptions = 0;
  std::int32_t samples = 1;           ///< parallel samples (RequestSpec::num_samples)
  std::int32_t samples_finished = 0;  ///< completed when it reaches `samples`
};

}  // namespace llmsim::sim
