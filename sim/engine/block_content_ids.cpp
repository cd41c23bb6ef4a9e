#include "sim/engine/block_content_ids.h"

#include <algorithm>
#include <span>

#include "sim/check.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {
namespace {

/// Chained ids of the full blocks within the first `limit_tokens` tokens covered by the
/// segments (hash k covers lengths[k] tokens).
void segment_ids(std::span<const std::uint64_t> hashes, std::span<const std::int64_t> lengths,
                 std::int64_t limit_tokens, std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(hashes.size() == lengths.size(), "one length per prefix segment");
  std::int64_t covered = 0;
  for (const std::int64_t length : lengths) {
    LLMSIM_CHECK(length > 0, "prefix segments hold at least one token");
    covered += length;
  }
  const std::int64_t blocks = std::min(covered, limit_tokens) / block_size_tokens;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(blocks, 0)));
  std::uint64_t id = workloads::mix64(workloads::fnv1a64("llmsim/kv-block-segments"));
  std::size_t k = 0;               // first segment overlapping the current block
  std::int64_t segment_start = 0;  // its first token
  for (std::int64_t j = 0; j < blocks; ++j) {
    const std::int64_t block_start = j * block_size_tokens;
    const std::int64_t block_end = block_start + block_size_tokens;
    while (segment_start + lengths[k] <= block_start) segment_start += lengths[k++];
    std::size_t m = k;
    std::int64_t start = segment_start;
    while (m < hashes.size() && start < block_end) {
      id = workloads::mix64(id ^ hashes[m]);
      start += lengths[m++];
    }
    id = workloads::mix64(id + static_cast<std::uint64_t>(j));
    out.push_back(id);
  }
}

}  // namespace

void block_content_ids(const workloads::RequestSpec& request, std::int64_t block_size_tokens,
                       std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(block_size_tokens >= 1, "KV blocks hold at least one token");
  out.clear();
  if (!request.prefix_segment_tokens.empty()) {
    segment_ids(request.prefix_hashes, request.prefix_segment_tokens, request.input_tokens,
                block_size_tokens, out);
    return;
  }
  const std::int64_t p = request.prefix_block_tokens;
  if (request.prefix_hashes.empty() || p <= 0) return;
  const auto hashes = static_cast<std::int64_t>(request.prefix_hashes.size());
  const std::int64_t hashed_tokens = std::min(hashes * p, request.input_tokens);
  const std::int64_t blocks = hashed_tokens / block_size_tokens;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(blocks, 0)));
  std::uint64_t id = workloads::mix64(workloads::fnv1a64("llmsim/kv-block") ^
                                      static_cast<std::uint64_t>(p));
  for (std::int64_t j = 0; j < blocks; ++j) {
    const std::int64_t first_hash = (j * block_size_tokens) / p;
    const std::int64_t last_hash = ((j + 1) * block_size_tokens - 1) / p;
    for (std::int64_t k = first_hash; k <= last_hash; ++k) {
      id = workloads::mix64(id ^ request.prefix_hashes[static_cast<std::size_t>(k)]);
    }
    id = workloads::mix64(id + static_cast<std::uint64_t>(j));
    out.push_back(id);
  }
}

void sample_block_content_ids(const workloads::RequestSpec& request, std::int64_t sample,
                              std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(sample >= 0 && sample < request.num_samples(), "a sample of the request");
  LLMSIM_CHECK(block_size_tokens >= 1, "KV blocks hold at least one token");
  std::int64_t covered = 0;
  for (const std::int64_t length : request.prefix_segment_tokens) covered += length;
  const bool identified = !request.sample_output_hashes.empty() && !request.prefix_segment_tokens.empty() &&
                          covered == request.input_tokens;
  if (!identified) {
    block_content_ids(request, block_size_tokens, out);
    return;
  }
  LLMSIM_CHECK(static_cast<std::int64_t>(request.sample_output_hashes.size()) == request.num_samples(),
               "one output hash per sample");
  const std::int64_t output =
      sample == 0 ? request.output_tokens
                  : request.forked_sample_output_tokens[static_cast<std::size_t>(sample - 1)];
  std::vector<std::uint64_t> hashes = request.prefix_hashes;
  std::vector<std::int64_t> lengths = request.prefix_segment_tokens;
  hashes.push_back(request.sample_output_hashes[static_cast<std::size_t>(sample)]);
  lengths.push_back(output);
  out.clear();
  segment_ids(hashes, lengths, request.input_tokens + output, block_size_tokens, out);
}

}  // namespace llmsim::sim
