#include "sim/fast_forward/decode_group.h"

#include <algorithm>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// a mod b in [0, b).
std::int64_t residue_of(std::int64_t a, std::int64_t b) { return ((a % b) + b) % b; }

}  // namespace

DecodeGroup::DecodeGroup(std::int64_t block_size)
    : block_size_(block_size), needs_block_(static_cast<std::size_t>(block_size), 0) {
  LLMSIM_CHECK(block_size >= 1, "a decode group counts blocks of at least one token");
  next_residue_ = residue_of(planned_ + 1, block_size_);
}

bool DecodeGroup::later(const Finish& a, const Finish& b) {
  if (a.step != b.step) return a.step > b.step;
  return a.order > b.order;
}

DecodeGroup::Member& DecodeGroup::member(Slot slot) {
  LLMSIM_CHECK(slot >= 0 && static_cast<std::size_t>(slot) < by_slot_.size() &&
                   by_slot_[static_cast<std::size_t>(slot)].position >= 0,
               "a decode group member");
  return by_slot_[static_cast<std::size_t>(slot)];
}

void DecodeGroup::join(Slot slot, std::uint64_t order, std::int64_t computed, std::int64_t blocks_held,
                       std::int64_t steps_left) {
  LLMSIM_CHECK(!step_in_flight(), "sequences join a decode group between steps");
  LLMSIM_CHECK(
      slot >= 0 && steps_left >= 1 && computed >= 1 && blocks_held == ceil_div(computed, block_size_),
      "a joining sequence decodes, has a token left and holds the blocks of its tokens");
  const auto index = static_cast<std::size_t>(slot);
  if (index >= by_slot_.size()) {
    by_slot_.resize(std::max(index + 1, 2 * by_slot_.size()));
  }
  Member& m = by_slot_[index];
  LLMSIM_CHECK(m.position < 0, "a sequence joins a decode group once");
  m.order = order;
  m.base_step = applied_;
  m.base_computed = computed;
  m.blocks_held = blocks_held;
  m.finish_step = applied_ + steps_left;
  m.residue = residue_of(applied_ + 1 - computed, block_size_);
  m.position = static_cast<std::int64_t>(members_.size());
  members_.push_back(slot);
  ++needs_block_[static_cast<std::size_t>(m.residue)];
  finishes_.push_back(Finish{m.finish_step, order, slot});
  std::push_heap(finishes_.begin(), finishes_.end(), later);
  context_tokens_ += computed;
  max_order_ = std::max(max_order_, order);
}

std::int64_t DecodeGroup::blocks_for_next_step() const {
  return needs_block_[static_cast<std::size_t>(next_residue_)];
}

std::int64_t DecodeGroup::plan_finishing_step() {
  LLMSIM_CHECK(!step_in_flight(), "one decode group step at a time");
  ++planned_;
  next_residue_ = next_residue_ + 1 == block_size_ ? 0 : next_residue_ + 1;
  finishing_.clear();
  while (!finishes_.empty() && finishes_.front().step == planned_) {
    finishing_.push_back(finishes_.front().slot);
    std::pop_heap(finishes_.begin(), finishes_.end(), later);
    finishes_.pop_back();
  }
  LLMSIM_CHECK(finishes_.empty() || finishes_.front().step > planned_,
               "no decode group member outlives its last token");
  return static_cast<std::int64_t>(finishing_.size());
}

DecodeGroup::Departure DecodeGroup::leave(Slot slot) {
  Member& m = member(slot);
  Departure d;
  d.slot = slot;
  d.steps = applied_ - m.base_step;
  d.owed_blocks = ceil_div(m.base_computed + (planned_ - m.base_step), block_size_) - m.blocks_held;
  --needs_block_[static_cast<std::size_t>(m.residue)];
  const auto position = static_cast<std::size_t>(m.position);
  const Slot moved = members_.back();
  members_[position] = moved;
  by_slot_[static_cast<std::size_t>(moved)].position = m.position;
  members_.pop_back();
  m.position = -1;
  return d;
}

void DecodeGroup::remove_finishing(std::vector<Departure>& finished) {
  for (const Slot slot : finishing_) {
    const std::int64_t computed = member(slot).base_computed + (applied_ - member(slot).base_step);
    finished.push_back(leave(slot));
    context_tokens_ -= computed;
  }
  finishing_.clear();
}

std::int64_t DecodeGroup::rebase(Slot slot) {
  Member& m = member(slot);
  const std::int64_t steps = applied_ - m.base_step;
  m.base_computed += steps;
  m.base_step = applied_;
  return steps;
}

void DecodeGroup::clear(std::vector<Departure>& members) {
  LLMSIM_CHECK(!step_in_flight(), "a decode group is dissolved between steps");
  const std::size_t first = members.size();
  while (!members_.empty()) members.push_back(leave(members_.back()));
  std::sort(members.begin() + static_cast<std::ptrdiff_t>(first), members.end(),
            [this](const Departure& a, const Departure& b) {
              return by_slot_[static_cast<std::size_t>(a.slot)].order <
                     by_slot_[static_cast<std::size_t>(b.slot)].order;
            });
  finishes_.clear();
  finishing_.clear();
  context_tokens_ = 0;
  max_order_ = 0;
}

}  // namespace llmsim::sim
