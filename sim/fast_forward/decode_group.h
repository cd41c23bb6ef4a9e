// DecodeGroup: the running requests of a replica that decode one token every iteration,
// advanced together in O(1) per iteration (DESIGN.md section 4, "cost grows with events").
#pragma once

#include <cstdint>
#include <vector>

#include "sim/check.h"

namespace llmsim::sim {

/// Bookkeeping of a group of decoding sequences, by slot. Every member samples one token in
/// every step of the group, so a member's state is its state when it joined (its base) plus
/// the steps applied since: nothing per member changes from one step to the next, and a step
/// costs O(1) plus O(log n) per member it finishes. The group counts, it does not own KV
/// blocks: blocks_for_next_step() says how many the next step needs, the caller allocates
/// them into a common pool, and owed_blocks() says how many of that pool a member holds.
///
/// Steps are numbered 1, 2, ... over the group's life: planned_steps() have been planned,
/// applied_steps() applied, and at most one is in flight (planned, not applied).
///
/// KV blocks: a member with c computed tokens holds ceil(c / block_size) blocks; the step that
/// computes its token number c + 1 needs a new one when c is a multiple of block_size. So
/// members are counted by the step residue (mod block_size) at which they need blocks.
class DecodeGroup {
 public:
  using Slot = std::int32_t;

  /// A member that left: the steps applied since its base and the pool blocks it holds.
  struct Departure {
    Slot slot = 0;
    std::int64_t steps = 0;
    std::int64_t owed_blocks = 0;
  };

  /// Precondition: block_size >= 1.
  explicit DecodeGroup(std::int64_t block_size);

  std::int64_t size() const { return static_cast<std::int64_t>(members_.size()); }
  bool empty() const { return members_.empty(); }
  std::int64_t planned_steps() const { return planned_; }
  std::int64_t applied_steps() const { return applied_; }
  bool step_in_flight() const { return planned_ > applied_; }
  /// Sum over members of their computed tokens, as of the applied steps.
  std::int64_t context_tokens() const { return context_tokens_; }
  /// An upper bound of the members' admission orders (every member's order is <= it).
  std::uint64_t max_order() const { return max_order_; }
  /// The members' slots, in no particular order.
  const std::vector<Slot>& members() const { return members_; }

  /// Adds a sequence that decodes from the next step on. `computed`: its computed tokens (all
  /// but the last sampled one); `blocks_held` == ceil(computed / block_size); `steps_left`
  /// >= 1: the steps until it samples its last token; `order`: its admission order (members
  /// finishing in the same step come out in this order). Precondition: no step in flight.
  void join(Slot slot, std::uint64_t order, std::int64_t computed, std::int64_t blocks_held,
            std::int64_t steps_left);

  /// KV blocks the step after the last planned one needs (members as they are now).
  std::int64_t blocks_for_next_step() const;
  /// Plans the next step; returns how many members it finishes (samples their last token).
  /// Inline: most steps finish nobody.
  std::int64_t plan_step() {
    if (finishes_.empty() || finishes_.front().step > planned_ + 1) {
      LLMSIM_CHECK(!step_in_flight() && finishing_.empty(), "one decode group step at a time");
      ++planned_;
      next_residue_ = next_residue_ + 1 == block_size_ ? 0 : next_residue_ + 1;
      return 0;
    }
    return plan_finishing_step();
  }
  /// Applies the step in flight and removes the members it finishes, appending them (in
  /// admission order) to `finished`. Inline: most steps finish nobody.
  void apply_step(std::vector<Departure>& finished) {
    LLMSIM_CHECK(step_in_flight(), "a decode group step is applied after it is planned");
    ++applied_;
    context_tokens_ += size();
    if (!finishing_.empty()) remove_finishing(finished);
  }

  /// Steps applied since the member's base; moves its base there (its state is then what the
  /// caller recorded for it). O(1).
  std::int64_t rebase(Slot slot);
  /// Removes every member, appending them in admission order. Precondition: no step in flight.
  void clear(std::vector<Departure>& members);

 private:
  struct Member {
    std::uint64_t order = 0;
    std::int64_t base_step = 0;      ///< applied steps at its base
    std::int64_t base_computed = 0;  ///< computed tokens at its base
    std::int64_t blocks_held = 0;    ///< blocks it held when it joined (the rest are owed)
    std::int64_t finish_step = 0;    ///< the step that samples its last token
    std::int64_t residue = 0;        ///< it needs a block in the steps s with s mod B == residue
    std::int64_t position = -1;      ///< index in members_; -1: not a member
  };
  struct Finish {
    std::int64_t step;
    std::uint64_t order;
    Slot slot;
  };
  static bool later(const Finish& a, const Finish& b);
  /// plan_step() of a step that finishes members (or, a broken invariant, that a member
  /// outlived).
  std::int64_t plan_finishing_step();
  /// apply_step()'s removal of the members the applied step finished.
  void remove_finishing(std::vector<Departure>& finished);
  Member& member(Slot slot);
  Departure leave(Slot slot);

  std::int64_t block_size_;
  std::int64_t planned_ = 0;
  std::int64_t next_residue_ = 0;  ///< (planned_ + 1) mod block_size_, kept without dividing
  std::int64_t applied_ = 0;
  std::int64_t context_tokens_ = 0;
  std::uint64_t max_order_ = 0;
  std::vector<Member> by_slot_;            ///< indexed by slot
  std::vector<Slot> members_;              ///< unordered
  std::vector<std::int64_t> needs_block_;  ///< [r]: members with residue r
  std::vector<Finish> finishes_;           ///< min-heap on (step, order)
  std::vector<Slot> finishing_;            ///< members the step in flight finishes, in order
};

}  // namespace llmsim::sim
