#include "sim/engine/block_content_ids.h"

#include <doctest/doctest.h>

#include <cstdint>
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
