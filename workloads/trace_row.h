// TraceRow: one request of a recorded trace, as every trace reader returns it.
#pragma once

#include <cstdint>
#include <vector>

namespace llmsim::workloads {

struct TraceRow {
  double arrival_s = 0.0;          ///< seconds after the trace's first row (first row: 0), non-decreasing
  std::int64_t input_tokens = 0;   ///< prompt length, > 0
  std::int64_t output_tokens = 0;  ///< generated tokens, > 0
  /// Mooncake hash_ids: one content id per 512-token prompt block, in order; empty otherwise.
  std::vector<std::uint64_t> prefix_hashes;
  /// plain_csv's optional acceptance_length column: the request's mean tokens per speculative
  /// verify step, the bonus token included (>= 1); 0 when the trace has no such column.
  double acceptance_length = 0.0;
  int line = 0;  ///< 1-based line of the row in its file, for messages about it (0: not from a file)
};

/// Tokens per prefix hash in Mooncake traces.
inline constexpr std::int64_t kMooncakeBlockTokens = 512;

}  // namespace llmsim::workloads
