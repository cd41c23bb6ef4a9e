// Replica: the decode group's members joining, leaving and stepping (see replica.h and
// decode_group.h). Every function here leaves the replica in a state from which the
// reference plan_iteration() / apply_iteration() give the same results.
#include <algorithm>

#include "sim/check.h"
#include "sim/engine/replica.h"

namespace llmsim::sim {
void Replica::join_group() {
  if (running_.empty()) return;
  merged_.clear();
  for (const Slot slot : running_) {
    const Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    // It decodes, sampled its last token in the last iteration (so every token it gets in the
    // group is one iteration after the previous), registers no more prefix blocks, and holds
    // exactly the blocks of its computed tokens.
    const bool joins = seq.decoding() && seq.last_token_iteration == plan_.index &&
                       seq.registered_blocks >= static_cast<std::int64_t>(seq.content_ids.size()) &&
                       static_cast<std::int64_t>(seq.blocks.size()) ==
                           kv_layout_.blocks_held(seq.computed_tokens);
    if (!joins) {
      merged_.push_back(slot);
      continue;
    }
    group_.join(slot, seq.admission_order, seq.computed_tokens, static_cast<std::int64_t>(seq.blocks.size()),
                seq.output_tokens - seq.generated_tokens);
  }
  running_.swap(merged_);
}

void Replica::settle_member(const DecodeGroup::Departure& d, std::int64_t last_index,
                            workloads::TimeNs last_end_ns) {
  Sequence& seq = seqs_[static_cast<std::size_t>(d.slot)];
  if (d.steps > 0) {
    seq.computed_tokens += d.steps;
    seq.generated_tokens += d.steps;
    record(seq).generated_tokens += d.steps;
    seq.last_token_ns = last_end_ns;
    seq.last_token_iteration = last_index;
  }
  LLMSIM_CHECK(d.owed_blocks <= group_blocks_.size(), "the group's blocks cover what its members are owed");
  seq.blocks.take_tail(group_blocks_, d.owed_blocks);
}

void Replica::dissolve_group() {
  LLMSIM_CHECK(!in_flight_, "the decode group is dissolved between iterations");
  departures_.clear();
  group_.clear(departures_);
  for (const DecodeGroup::Departure& d : departures_) settle_member(d, plan_.index, last_end_ns_);
  LLMSIM_CHECK(group_blocks_.empty(), "a dissolved group leaves no blocks behind");
  // Back into running_, which stays in admission order.
  merged_.clear();
  std::size_t next = 0;
  for (const Slot slot : running_) {
    const std::uint64_t order = seqs_[static_cast<std::size_t>(slot)].admission_order;
    while (next < departures_.size() &&
           seqs_[static_cast<std::size_t>(departures_[next].slot)].admission_order < order) {
      merged_.push_back(departures_[next++].slot);
    }
    merged_.push_back(slot);
  }
  for (; next < departures_.size(); ++next) merged_.push_back(departures_[next].slot);
  running_.swap(merged_);
}

void Replica::finish_member(const DecodeGroup::Departure& d, std::vector<RequestIndex>& completed,
                            ApplyCounts& counts) {
  settle_member(d, plan_.index, plan_.end_ns);
  Sequence& seq = seqs_[static_cast<std::size_t>(d.slot)];
  LLMSIM_CHECK(seq.generated_tokens == seq.output_tokens, "a member leaves the group with its last token");
  --decode_seqs_;
  decode_context_tokens_ -= seq.computed_tokens;
  if (finish(d.slot, plan_.end_ns)) completed.push_back(seq.request);
  ++counts.finished;
}

void Replica::apply_group_step(std::vector<RequestIndex>& completed, ApplyCounts& counts) {
  const std::int64_t members = plan_.group_seqs;
  departures_.clear();
  group_.apply_step(departures_);
  // Every member computes its last token and samples the next, one iteration after its
  // previous one.
  decode_context_tokens_ += members;
  outstanding_tokens_ -= members;
  counts.adjacent_gaps += members;
  // Finishing members and the plan's other sequences, in admission order, as the reference
  // applies them (the order of KV releases matters to the prefix cache's LRU).
  std::size_t next = 0;
  for (const ScheduledSeq& s : plan_.seqs) {
    const std::uint64_t order = seqs_[static_cast<std::size_t>(s.slot)].admission_order;
    while (next < departures_.size() &&
           seqs_[static_cast<std::size_t>(departures_[next].slot)].admission_order < order) {
      finish_member(departures_[next++], completed, counts);
    }
    apply_scheduled(s, completed, counts);
  }
  for (; next < departures_.size(); ++next) finish_member(departures_[next], completed, counts);
}

void Replica::sync_records() {
  const std::int64_t last_index = in_flight_ ? plan_.index - 1 : plan_.index;
  for (const Slot slot : group_.members()) {
    const std::int64_t steps = group_.rebase(slot);
    if (steps == 0) continue;
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    seq.computed_tokens += steps;
    seq.generated_tokens += steps;
    record(seq).generated_tokens += steps;
    seq.last_token_ns = last_end_ns_;
    seq.last_token_iteration = last_index;
  }
}

}  // namespace llmsim::sim
