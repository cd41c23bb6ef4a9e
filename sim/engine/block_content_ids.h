// Content ids of a prompt's KV blocks, for the prefix cache.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/request_spec.h"

namespace llmsim::sim {

/// Replaces `out` with the content ids of the request's identifiable KV blocks.
///
/// Fixed-size hashes (prefix_segment_tokens empty): RequestSpec.prefix_hashes carries one
/// content hash per prefix_block_tokens (P) prompt tokens. KV block j covers tokens
/// [j*B, (j+1)*B) (B = block_size_tokens). It is identifiable only when it is full and lies
/// wholly inside both the hashed prefix (hashes x P tokens) and the prompt, so the ids
/// cover blocks 0 .. floor(min(hashes x P, input_tokens) / B) - 1.
/// id_j = mix(id_{j-1}, every prefix hash overlapping block j, j), with id_{-1} derived
/// from P: equal ids mean equal content at equal positions, i.e. a shared prefix up to
/// and including block j. No hashes (or P <= 0): no ids.
///
/// Variable-length segments (prefix_segment_tokens set): hash k covers the next
/// prefix_segment_tokens[k] tokens; the ids are chained the same way over the segments
/// overlapping each block (id_{-1} is a constant of its own, so the two schemes never
/// share ids), and cover the full blocks inside both the segments and the prompt.
void block_content_ids(const workloads::RequestSpec& request, std::int64_t block_size_tokens,
                       std::vector<std::uint64_t>& out);

/// The ids of the blocks of sample `sample` (0: the first; i >= 1: fork i) of a
/// parallel-sampling request: when the request carries sample_output_hashes and its
/// segments cover the whole prompt, the prompt's segments followed by the segment
/// {sample_output_hashes[sample], that sample's output tokens}, over prompt + output
/// tokens; otherwise block_content_ids. Precondition: 0 <= sample < request.num_samples().
void sample_block_content_ids(const workloads::RequestSpec& request, std::int64_t sample,
                              std::int64_t block_size_tokens, std::vector<std::uint64_t>& out);

}  // namespace llmsim::sim
