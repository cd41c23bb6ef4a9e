#include "sim/engine/waiting_queue.h"

#include <algorithm>

#include "sim/check.h"

namespace llmsim::sim {

bool WaitingQueue::later(const Entry& a, const Entry& b) {
  if (a.key != b.key) return a.key > b.key;
  if (a.arrival_ns != b.arrival_ns) return a.arrival_ns > b.arrival_ns;
  return a.sequence > b.sequence;
}

void WaitingQueue::push_arrived(Slot slot, const workloads::RequestSpec& request) {
  Entry entry;
  switch (policy_) {
    case SchedulingPolicy::fcfs:
      entry.key = 0;
      break;
    case SchedulingPolicy::priority:
      entry.key = request.priority;
      break;
    case SchedulingPolicy::shortest_prompt_first:
      entry.key = request.input_tokens;
      break;
  }
  entry.arrival_ns = request.arrival_ns;
  entry.sequence = next_sequence_++;
  entry.slot = slot;
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

WaitingQueue::Slot WaitingQueue::front() const {
  LLMSIM_CHECK(!empty(), "front() of a non-empty waiting queue");
  if (!landed_.empty()) return landed_.front();
  if (!resumed_.empty()) return resumed_.front();
  return heap_.front().slot;
}

void WaitingQueue::pop_front() {
  LLMSIM_CHECK(!empty(), "pop_front() of a non-empty waiting queue");
  if (!landed_.empty()) {
    landed_.pop_front();
    return;
  }
  if (!resumed_.empty()) {
    resumed_.pop_front();
    return;
  }
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

}  // namespace llmsim::sim
