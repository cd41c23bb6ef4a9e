// EventQueue: the simulator's one queue of (time, sequence number, event)
// (DESIGN.md section 4 and section 6, rule 6).
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "workloads/request_spec.h"

namespace llmsim::sim {

using workloads::TimeNs;

/// A min-heap on (time_ns, seq). seq is the insertion count, so events scheduled for the
/// same nanosecond pop in the order they were pushed: runs are reproducible.
/// Event is any copyable type, in practice a closed std::variant.
template <typename Event>
class EventQueue {
 public:
  struct Entry {
    TimeNs time_ns;
    std::uint64_t seq;
    Event event;
  };

  /// Precondition: time_ns >= the time of the last popped entry (time never goes backward).
  void push(TimeNs time_ns, Event event) { heap_.push(Entry{time_ns, next_seq_++, std::move(event)}); }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  /// Precondition: !empty().
  TimeNs next_time() const { return heap_.top().time_ns; }

  /// Removes and returns the earliest entry. Precondition: !empty().
  Entry pop() {
    Entry top = heap_.top();
    heap_.pop();
    return top;
  }

 private:
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
      return a.seq > b.seq;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace llmsim::sim
