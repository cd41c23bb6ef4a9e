// Content ids of variable-length prompt segments and of parallel samples' outputs.
#include <doctest/doctest.h>

#include <vector>

#include "sim/engine/block_content_ids.h"

namespace llmsim::sim {
namespace {

workloads::RequestSpec segmented(std::vector<std::uint64_t> hashes, std::vector<std::int64_t> tokens) {
  workloads::RequestSpec r;
  std::int64_t total = 0;
  for (const std::int64_t t : tokens) total += t;
  r.input_tokens = total;
  r.output_tokens = 1;
  r.prefix_hashes = std::move(hashes);
  r.prefix_segment_tokens = std::move(tokens);
  return r;
}

std::vector<std::uint64_t> ids_of(const workloads::RequestSpec& r, std::int64_t block = 16) {
  std::vector<std::uint64_t> out;
  block_content_ids(r, block, out);
  return out;
}

}  // namespace

TEST_CASE("prompts sharing a question and a first step share blocks until the steps differ") {
  // Question 40 tokens, then steps of 30: blocks of 16 cover [0,16) [16,32) [32,48) ...
  const auto a = ids_of(segmented({1, 2, 3}, {40, 30, 30}));  // 100 tokens: 6 full blocks
  const auto b = ids_of(segmented({1, 2, 4}, {40, 30, 30}));
  REQUIRE(a.size() == 6);
  REQUIRE(b.size() == 6);
  // Blocks 0-3 lie within question + first step (70 tokens: [0,64) is whole); block 4,
  // [64,80), holds the end of step 1 and the start of step 2, which differ.
  for (int j = 0; j < 4; ++j) CHECK(a[static_cast<std::size_t>(j)] == b[static_cast<std::size_t>(j)]);
  CHECK(a[4] != b[4]);
  CHECK(a[5] != b[5]);
}

TEST_CASE("another question gives other ids from the first block") {
  const auto a = ids_of(segmented({1, 2}, {40, 30}));
  const auto b = ids_of(segmented({9, 2}, {40, 30}));
  CHECK(a[0] != b[0]);
}

TEST_CASE("a sample's output continues its prompt's ids as a segment of its own") {
  workloads::RequestSpec call = segmented({1, 2}, {40, 30});
  call.output_tokens = 50;
  call.forked_sample_output_tokens = {26};
  call.sample_output_hashes = {7, 8};
  std::vector<std::uint64_t> first;
  std::vector<std::uint64_t> second;
  sample_block_content_ids(call, 0, 16, first);
  sample_block_content_ids(call, 1, 16, second);
  CHECK(first.size() == 7);   // 70 + 50 = 120 tokens: 7 full blocks
  CHECK(second.size() == 6);  // 70 + 26 = 96 tokens: 6
  // The next step's prompt: the same question and step, then sample 0's output.
  const auto next = ids_of(segmented({1, 2, 7}, {40, 30, 50}));
  CHECK(next == first);
  // Both samples share the prompt's 4 whole blocks, not the block holding their outputs.
  for (int j = 0; j < 4; ++j) CHECK(first[static_cast<std::size_t>(j)] == second[static_cast<std::size_t>(j)]);
  CHECK(first[4] != second[4]);
}

TEST_CASE("fixed-size hashes and segments never give the same ids") {
  workloads::RequestSpec fixed;
  fixed.input_tokens = 64;
  fixed.output_tokens = 1;
  fixed.prefix_hashes = {1};
  fixed.prefix_block_tokens = 64;
  const auto a = ids_of(fixed);
  const auto b = ids_of(segmented({1}, {64}));
  REQUIRE(a.size() == 4);
  REQUIRE(b.size() == 4);
  CHECK(a[0] != b[0]);
}

}  // namespace llmsim::sim
