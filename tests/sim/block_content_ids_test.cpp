#include "sim/engine/block_content_ids.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

using llmsim::sim::block_content_ids;
using llmsim::workloads::RequestSpec;

namespace {

RequestSpec prompt(std::int64_t tokens, std::vector<std::uint64_t> hashes, std::int64_t per_hash) {
  RequestSpec r;
  r.input_tokens = tokens;
  r.output_tokens = 1;
  r.prefix_hashes = std::move(hashes);
  r.prefix_block_tokens = per_hash;
  return r;
}

}  // namespace

TEST_CASE("only full blocks inside both the hashed prefix and the prompt get ids") {
  std::vector<std::uint64_t> ids;
  // Mooncake: 2 hashes x 512 = 1024 hashed tokens, prompt 1000: floor(1000 / 16) = 62 blocks.
  block_content_ids(prompt(1000, {11, 22}, 512), 16, ids);
  CHECK(ids.size() == 62);
  // Synthetic shared prefix: one hash covering 100 tokens: floor(100 / 16) = 6 blocks.
  block_content_ids(prompt(3000, {7}, 100), 16, ids);
  CHECK(ids.size() == 6);
  // No hashes: nothing identifiable.
  block_content_ids(prompt(3000, {}, 512), 16, ids);
  CHECK(ids.empty());
}

TEST_CASE("prompts sharing the first hash share exactly the blocks it covers") {
  std::vector<std::uint64_t> a, b;
  block_content_ids(prompt(1024, {1, 2}, 512), 16, a);
  block_content_ids(prompt(1024, {1, 3}, 512), 16, b);
  REQUIRE(a.size() == 64);
  REQUIRE(b.size() == 64);
  for (std::size_t j = 0; j < 32; ++j) CHECK(a[j] == b[j]);
  for (std::size_t j = 32; j < 64; ++j) CHECK(a[j] != b[j]);
}

TEST_CASE("a block straddling two hashes depends on both") {
  std::vector<std::uint64_t> a, b;
  // 10 tokens per hash, 16-token blocks: block 0 covers hashes 0 and 1.
  block_content_ids(prompt(40, {5, 6, 7, 8}, 10), 16, a);
  block_content_ids(prompt(40, {5, 9, 7, 8}, 10), 16, b);
  REQUIRE(a.size() == 2);
  CHECK(a[0] != b[0]);
}

TEST_CASE("equal blocks at different positions get different ids") {
  std::vector<std::uint64_t> ids;
  block_content_ids(prompt(64, {4, 4, 4, 4}, 16), 16, ids);
  REQUIRE(ids.size() == 4);
  CHECK(ids[0] != ids[1]);
  CHECK(ids[1] != ids[2]);
}

TEST_CASE("BlockContentIdCache gives sample_block_content_ids' ids whatever came before") {
  // Requests drawn to share leading hashes (or segments) with the one before, or not, under
  // both schemes, with samples identified by their outputs, and block sizes that change.
  std::mt19937_64 rng(24);
  const auto below = [&rng](std::uint64_t n) { return static_cast<std::int64_t>(rng() % n); };
  llmsim::sim::BlockContentIdCache cache;
  RequestSpec previous = prompt(100, {1}, 16);
  std::int64_t reused_requests = 0;
  for (int i = 0; i < 3000; ++i) {
    RequestSpec r = below(3) == 0 ? RequestSpec{} : previous;
    r.sample_output_hashes.clear();
    r.forked_sample_output_tokens.clear();
    if (r.prefix_hashes.empty() || below(5) == 0) r = prompt(1, {}, 16);
    if (below(2) == 0) {  // keep a leading part, redraw the rest
      const auto keep = static_cast<std::size_t>(below(r.prefix_hashes.size() + 1));
      r.prefix_hashes.resize(keep);
      if (!r.prefix_segment_tokens.empty()) r.prefix_segment_tokens.resize(keep);
    }
    const bool segments = r.prefix_hashes.empty() ? below(2) == 0 : !r.prefix_segment_tokens.empty();
    if (!segments) r.prefix_segment_tokens.clear();
    if (r.prefix_hashes.empty() && !segments) r.prefix_block_tokens = std::vector<std::int64_t>{16, 100, 512}[static_cast<std::size_t>(below(3))];
    const std::int64_t more = below(6);
    for (std::int64_t k = 0; k < more; ++k) {
      r.prefix_hashes.push_back(static_cast<std::uint64_t>(below(4)));
      if (segments) r.prefix_segment_tokens.push_back(1 + below(300));
    }
    std::int64_t covered = r.prefix_block_tokens * static_cast<std::int64_t>(r.prefix_hashes.size());
    if (segments) covered = std::accumulate(r.prefix_segment_tokens.begin(), r.prefix_segment_tokens.end(), std::int64_t{0});
    r.input_tokens = std::max<std::int64_t>(1, covered + below(200) - 100);
    r.output_tokens = 1 + below(300);
    if (segments && !r.prefix_hashes.empty() && below(2) == 0) {  // samples identified by their outputs
      r.input_tokens = covered;
      r.forked_sample_output_tokens.assign(static_cast<std::size_t>(below(3)), 1 + below(300));
      for (std::int64_t s = 0; s < r.num_samples(); ++s) r.sample_output_hashes.push_back(static_cast<std::uint64_t>(below(4)));
    }
    const std::int64_t block_size = below(4) == 0 ? 32 : 16;
    const std::int64_t sample = below(static_cast<std::uint64_t>(r.num_samples()));
    CAPTURE(i);
    std::vector<std::uint64_t> expected, got;
    llmsim::sim::sample_block_content_ids(r, sample, block_size, expected);
    cache.compute(r, sample, block_size, got);
    CHECK(got == expected);
    if (!previous.prefix_hashes.empty() && !r.prefix_hashes.empty() && previous.prefix_hashes[0] == r.prefix_hashes[0]) {
      ++reused_requests;
    }
    previous = r;
  }
  CHECK(reused_requests > 500);  // the draw exercised shared leading hashes
}
