#include "sim/fast_forward/decode_group.h"

#include <doctest/doctest.h>

#include <vector>

using llmsim::sim::DecodeGroup;

namespace {

/// Plans and applies one step; returns the members it finished.
std::vector<DecodeGroup::Departure> step(DecodeGroup& group) {
  group.plan_step();
  std::vector<DecodeGroup::Departure> finished;
  group.apply_step(finished);
  return finished;
}

}  // namespace

TEST_CASE("a decode step needs a block for each member whose next token starts one") {
  DecodeGroup group(4);
  // A: 4 computed tokens in 1 block; its steps compute tokens 5, 6, ... so it needs a block
  // in steps 1, 5, 9. B: 6 computed in 2 blocks; token 9 (step 3) and 13 (step 7) start blocks.
  group.join(0, 0, 4, 1, 20);
  group.join(1, 1, 6, 2, 20);
  std::vector<std::int64_t> needed;
  for (int s = 1; s <= 8; ++s) {
    needed.push_back(group.blocks_for_next_step());
    step(group);
  }
  CHECK(needed == std::vector<std::int64_t>{1, 0, 1, 0, 1, 0, 1, 0});
}

TEST_CASE("members that finish in the same step leave in admission order") {
  DecodeGroup group(16);
  group.join(7, 5, 100, 7, 2);  // order 5, last token in step 2
  group.join(3, 3, 100, 7, 2);  // order 3, last token in step 2
  group.join(4, 4, 100, 7, 3);  // order 4, last token in step 3
  CHECK(group.plan_step() == 0);
  std::vector<DecodeGroup::Departure> finished;
  group.apply_step(finished);
  CHECK(finished.empty());
  CHECK(group.plan_step() == 2);
  group.apply_step(finished);
  REQUIRE(finished.size() == 2);
  CHECK(finished[0].slot == 3);
  CHECK(finished[1].slot == 7);
  CHECK(finished[0].steps == 2);
  CHECK(group.size() == 1);
  CHECK(step(group).front().slot == 4);
  CHECK(group.empty());
}

TEST_CASE("context tokens grow by one per member and step and drop those that finish") {
  DecodeGroup group(16);
  group.join(0, 0, 100, 7, 1);
  group.join(1, 1, 50, 4, 5);
  CHECK(group.context_tokens() == 150);
  step(group);  // both compute one more token; slot 0 (101 tokens) finishes
  CHECK(group.context_tokens() == 51);
  step(group);
  CHECK(group.context_tokens() == 52);
}

TEST_CASE("a member owes the blocks its planned steps added and rebasing keeps the debt") {
  DecodeGroup group(4);
  group.join(0, 0, 4, 1, 10);  // needs a block in step 1 (token 5) and step 5 (token 9)
  step(group);
  step(group);
  group.plan_step();  // step 3 in flight: 7 tokens computed after it, ceil(7 / 4) = 2 blocks
  std::vector<DecodeGroup::Departure> finished;
  group.apply_step(finished);
  CHECK(group.rebase(0) == 3);
  CHECK(group.rebase(0) == 0);
  step(group);
  group.plan_step();  // step 5: 9 tokens, 3 blocks, 2 of them owed
  group.apply_step(finished);
  std::vector<DecodeGroup::Departure> members;
  group.clear(members);
  REQUIRE(members.size() == 1);
  CHECK(members[0].steps == 2);
  CHECK(members[0].owed_blocks == 2);
}

TEST_CASE("dissolving a group returns its members in admission order") {
  DecodeGroup group(16);
  group.join(2, 9, 20, 2, 10);
  group.join(5, 1, 20, 2, 10);
  group.join(1, 4, 20, 2, 10);
  step(group);
  std::vector<DecodeGroup::Departure> members;
  group.clear(members);
  REQUIRE(members.size() == 3);
  CHECK(members[0].slot == 5);
  CHECK(members[1].slot == 1);
  CHECK(members[2].slot == 2);
  CHECK(group.empty());
  CHECK(group.context_tokens() == 0);
  CHECK(group.blocks_for_next_step() == 0);
}
