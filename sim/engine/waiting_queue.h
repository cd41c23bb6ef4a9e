// WaitingQueue: a replica's requests that wait for admission, in policy order.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sim/scenario.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

/// Three parts, each always ahead of the next:
///   landed   transferred requests whose KV blocks the replica reserved before the transfer
///            (disaggregation), first landed first: SGLang's decode server merges them into
///            the running batch from its transfer queue, ahead of the requests it retracted
///            (python/sglang/srt/disaggregation/decode.py, "Life cycle of a request");
///   resumed  preempted requests, pushed at the front (the last one preempted is first,
///            as vLLM's scheduler prepends them);
///   arrived  new requests ordered by the policy:
///              fcfs                   (arrival_ns, insertion order)
///              priority               (priority, arrival_ns, insertion order), lower first
///              shortest_prompt_first  (input_tokens, arrival_ns, insertion order)
/// Items are opaque slot numbers of the replica. A binary heap keeps push/pop O(log n).
class WaitingQueue {
 public:
  using Slot = std::int32_t;

  explicit WaitingQueue(SchedulingPolicy policy) : policy_(policy) {}

  void push_arrived(Slot slot, const workloads::RequestSpec& request);
  void push_front(Slot slot) { resumed_.push_front(slot); }
  void push_landed(Slot slot) { landed_.push_back(slot); }

  bool empty() const { return landed_.empty() && resumed_.empty() && heap_.empty(); }
  std::int64_t size() const { return static_cast<std::int64_t>(landed_.size() + resumed_.size() + heap_.size()); }
  /// Precondition: !empty().
  Slot front() const;
  /// Precondition: !empty().
  void pop_front();

 private:
  struct Entry {
    std::int64_t key = 0;  ///< policy key: 0, priority or input tokens
    workloads::TimeNs arrival_ns = 0;
    std::uint64_t sequence = 0;
    Slot slot = 0;
  };
  /// std::push_heap makes a max-heap; "later" puts the earliest entry on top.
  static bool later(const Entry& a, const Entry& b);

  SchedulingPolicy policy_;
  std::deque<Slot> landed_;
  std::deque<Slot> resumed_;
  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace llmsim::sim
