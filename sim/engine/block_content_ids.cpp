#include "sim/engine/block_content_ids.h"

#include <algorithm>
#include <span>

#include "sim/check.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {
namespace {

/// id_{-1} of the variable-length segment scheme.
std::uint64_t segment_seed() { return workloads::mix64(workloads::fnv1a64("llmsim/kv-block-segments")); }

/// id_{-1} of the fixed-size hash scheme with `per_hash` tokens per hash.
std::uint64_t fixed_seed(std::int64_t per_hash) {
  return workloads::mix64(workloads::fnv1a64("llmsim/kv-block") ^ static_cast<std::uint64_t>(per_hash));
}

/// Tokens the segments cover; checks every segment holds a token.
std::int64_t covered_tokens(std::span<const std::int64_t> lengths) {
  std::int64_t covered = 0;
  for (const std::int64_t length : lengths) {
    LLMSIM_CHECK(length > 0, "prefix segments hold at least one token");
    covered += length;
  }
  return covered;
}

/// Appends the chained ids of blocks out.size() .. blocks - 1 under the segment scheme
/// (hash k covers lengths[k] tokens), continuing the chain from out.back().
void extend_segment_ids(std::span<const std::uint64_t> hashes, std::span<const std::int64_t> lengths,
                        std::int64_t blocks, std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(hashes.size() == lengths.size(), "one length per prefix segment");
  const auto first = static_cast<std::int64_t>(out.size());
  if (first >= blocks) return;
  out.reserve(static_cast<std::size_t>(blocks));
  std::uint64_t id = first == 0 ? segment_seed() : out.back();
  std::size_t k = 0;               // first segment overlapping the current block
  std::int64_t segment_start = 0;  // its first token
  for (std::int64_t j = first; j < blocks; ++j) {
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

/// Appends the chained ids of blocks out.size() .. blocks - 1 under the fixed-size scheme
/// (hash k covers tokens [k * per_hash, (k + 1) * per_hash)), continuing from out.back().
void extend_fixed_ids(std::span<const std::uint64_t> hashes, std::int64_t per_hash, std::int64_t blocks,
                      std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  const auto first = static_cast<std::int64_t>(out.size());
  if (first >= blocks) return;
  out.reserve(static_cast<std::size_t>(blocks));
  std::uint64_t id = first == 0 ? fixed_seed(per_hash) : out.back();
  for (std::int64_t j = first; j < blocks; ++j) {
    const std::int64_t first_hash = (j * block_size_tokens) / per_hash;
    const std::int64_t last_hash = ((j + 1) * block_size_tokens - 1) / per_hash;
    for (std::int64_t k = first_hash; k <= last_hash; ++k) {
      id = workloads::mix64(id ^ hashes[static_cast<std::size_t>(k)]);
    }
    id = workloads::mix64(id + static_cast<std::uint64_t>(j));
    out.push_back(id);
  }
}

/// Whether sample_block_content_ids identifies `request`'s samples by their outputs.
bool samples_identified(const workloads::RequestSpec& request) {
  std::int64_t covered = 0;
  for (const std::int64_t length : request.prefix_segment_tokens) covered += length;
  return !request.sample_output_hashes.empty() && !request.prefix_segment_tokens.empty() &&
         covered == request.input_tokens;
}

/// The output tokens of sample `sample` (0: the first).
std::int64_t sample_output_tokens(const workloads::RequestSpec& request, std::int64_t sample) {
  return sample == 0 ? request.output_tokens
                     : request.forked_sample_output_tokens[static_cast<std::size_t>(sample - 1)];
}

}  // namespace

void block_content_ids(const workloads::RequestSpec& request, std::int64_t block_size_tokens,
                       std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(block_size_tokens >= 1, "KV blocks hold at least one token");
  out.clear();
  if (!request.prefix_segment_tokens.empty()) {
    const std::int64_t covered = covered_tokens(request.prefix_segment_tokens);
    extend_segment_ids(request.prefix_hashes, request.prefix_segment_tokens,
                       std::min(covered, request.input_tokens) / block_size_tokens, block_size_tokens, out);
    return;
  }
  const std::int64_t p = request.prefix_block_tokens;
  if (request.prefix_hashes.empty() || p <= 0) return;
  const auto hashes = static_cast<std::int64_t>(request.prefix_hashes.size());
  const std::int64_t blocks = std::min(hashes * p, request.input_tokens) / block_size_tokens;
  extend_fixed_ids(request.prefix_hashes, p, blocks, block_size_tokens, out);
}

void sample_block_content_ids(const workloads::RequestSpec& request, std::int64_t sample,
                              std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(sample >= 0 && sample < request.num_samples(), "a sample of the request");
  LLMSIM_CHECK(block_size_tokens >= 1, "KV blocks hold at least one token");
  if (!samples_identified(request)) {
    block_content_ids(request, block_size_tokens, out);
    return;
  }
  LLMSIM_CHECK(static_cast<std::int64_t>(request.sample_output_hashes.size()) == request.num_samples(),
               "one output hash per sample");
  const std::int64_t output = sample_output_tokens(request, sample);
  std::vector<std::uint64_t> hashes = request.prefix_hashes;
  std::vector<std::int64_t> lengths = request.prefix_segment_tokens;
  hashes.push_back(request.sample_output_hashes[static_cast<std::size_t>(sample)]);
  lengths.push_back(output);
  out.clear();
  const std::int64_t covered = covered_tokens(lengths);
  extend_segment_ids(hashes, lengths, std::min(covered, request.input_tokens + output) / block_size_tokens,
                     block_size_tokens, out);
}

void BlockContentIdCache::compute(const workloads::RequestSpec& request, std::int64_t sample,
                                  std::int64_t block_size_tokens, std::vector<std::uint64_t>& out) {
  LLMSIM_CHECK(sample >= 0 && sample < request.num_samples(), "a sample of the request");
  LLMSIM_CHECK(block_size_tokens >= 1, "KV blocks hold at least one token");
  // The request's chain inputs, as sample_block_content_ids reads them, into next_hashes_ /
  // next_lengths_ (fixed scheme: hashes alone, per_hash tokens each).
  Scheme scheme = Scheme::none;
  std::int64_t per_hash = 0;
  std::int64_t limit_tokens = request.input_tokens;
  next_hashes_.assign(request.prefix_hashes.begin(), request.prefix_hashes.end());
  next_lengths_.assign(request.prefix_segment_tokens.begin(), request.prefix_segment_tokens.end());
  if (samples_identified(request)) {
    LLMSIM_CHECK(static_cast<std::int64_t>(request.sample_output_hashes.size()) == request.num_samples(),
                 "one output hash per sample");
    const std::int64_t output = sample_output_tokens(request, sample);
    next_hashes_.push_back(request.sample_output_hashes[static_cast<std::size_t>(sample)]);
    next_lengths_.push_back(output);
    limit_tokens += output;
    scheme = Scheme::segments;
  } else if (!request.prefix_segment_tokens.empty()) {
    scheme = Scheme::segments;
  } else if (!request.prefix_hashes.empty() && request.prefix_block_tokens > 0) {
    scheme = Scheme::fixed;
    per_hash = request.prefix_block_tokens;
  }
  std::int64_t blocks = 0;
  if (scheme == Scheme::segments) {
    blocks = std::min(covered_tokens(next_lengths_), limit_tokens) / block_size_tokens;
  } else if (scheme == Scheme::fixed) {
    blocks = std::min(static_cast<std::int64_t>(next_hashes_.size()) * per_hash, limit_tokens) / block_size_tokens;
  }
  // Block j's id depends only on the chain inputs of the blocks up to j: the previous ids
  // stand for every block lying wholly inside the leading segments (hashes) both share.
  std::int64_t reusable = 0;
  if (scheme != Scheme::none && scheme == scheme_ && block_size_tokens == block_size_ && per_hash == per_hash_) {
    std::size_t shared = 0;
    std::int64_t shared_tokens = 0;
    while (shared < next_hashes_.size() && shared < hashes_.size() && next_hashes_[shared] == hashes_[shared] &&
           (scheme == Scheme::fixed || next_lengths_[shared] == lengths_[shared])) {
      shared_tokens += scheme == Scheme::fixed ? per_hash : next_lengths_[shared];
      ++shared;
    }
    reusable = std::min({static_cast<std::int64_t>(ids_.size()), blocks, shared_tokens / block_size_tokens});
  }
  ids_.resize(static_cast<std::size_t>(reusable));
  if (scheme == Scheme::segments) {
    extend_segment_ids(next_hashes_, next_lengths_, blocks, block_size_tokens, ids_);
  } else if (scheme == Scheme::fixed) {
    extend_fixed_ids(next_hashes_, per_hash, blocks, block_size_tokens, ids_);
  }
  scheme_ = scheme;
  block_size_ = block_size_tokens;
  per_hash_ = per_hash;
  hashes_.swap(next_hashes_);
  lengths_.swap(next_lengths_);
  out.assign(ids_.begin(), ids_.end());
}

}  // namespace llmsim::sim
