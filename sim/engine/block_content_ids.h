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

/// sample_block_content_ids with a memory of its previous call: the ids of the leading
/// blocks that lie wholly inside the leading hashes (segments) the request shares with the
/// previous one are reused rather than rehashed (ids chain, so block j depends only on the
/// hashes covering blocks 0..j). Same results as sample_block_content_ids, for less work
/// when consecutive requests share a prefix (a system prompt, a session's earlier turns,
/// the router and then the replica computing one request's ids).
class BlockContentIdCache {
 public:
  /// Replaces `out` with sample_block_content_ids(request, sample, block_size_tokens).
  void compute(const workloads::RequestSpec& request, std::int64_t sample, std::int64_t block_size_tokens,
               std::vector<std::uint64_t>& out);

 private:
  enum class Scheme { none, fixed, segments };
  // The previous call's chain inputs and ids.
  Scheme scheme_ = Scheme::none;
  std::int64_t block_size_ = 0;
  std::int64_t per_hash_ = 0;  ///< fixed scheme: tokens per hash
  std::vector<std::uint64_t> hashes_;
  std::vector<std::int64_t> lengths_;  ///< segment scheme: tokens per hash
  std::vector<std::uint64_t> ids_;
  // Scratch for the call in progress (swapped with the above at its end).
  std::vector<std::uint64_t> next_hashes_;
  std::vector<std::int64_t> next_lengths_;
};

}  // namespace llmsim::sim
