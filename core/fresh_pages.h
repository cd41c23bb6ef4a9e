// Fresh memory faulted in ahead of use, in bulk, for the stores that grow all through a run
// (latency sets, their sort buffers, the pricing memo, the requests.csv buffer).
//
// Why: on the machines this project runs on (Firecracker virtual machines, Linux 6.18), a
// page fault on a fresh anonymous 4 KiB page costs about 10 us, while Linux's
// MADV_POPULATE_WRITE faults pages in at about 0.7 us each (bench/README.md, session 11).
// A bench-100k run touches about 3,500 fresh pages as its stores fill.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

namespace llmsim::core {

/// Asks the kernel to fault in, writable, the pages from the one that holds `begin` to the
/// last that [begin, begin + bytes) fills whole, in one call. The memory's contents do not
/// change: this only saves the page faults that first writes would take. A hint: returns
/// false, having done nothing, where the system does not support it or refuses. Precondition:
/// the range lies in memory the caller owns (an allocation).
bool populate_pages(void* begin, std::size_t bytes);

/// The smallest stretch populate_ahead() populates at once: 16 pages.
inline constexpr std::size_t kPopulateAheadMinBytes = std::size_t{64} << 10;

/// For a store of T with `capacity` elements of allocated memory, of which the first `used`
/// are written: populates the elements from `used` on, at least kPopulateAheadMinBytes' worth
/// and at least half of `used` (so a growing store calls this O(log size) times), at most up
/// to `capacity`. Returns the element count up to which the memory is now populated (the
/// store's room before its next call). Precondition: used <= capacity.
template <typename T>
std::size_t populate_ahead(T* data, std::size_t used, std::size_t capacity) {
  const std::size_t step = std::max(kPopulateAheadMinBytes / sizeof(T), used / 2);
  const std::size_t room = used + std::min(step, capacity - used);
  populate_pages(data + used, (room - used) * sizeof(T));
  return room;
}

/// v.reserve(capacity), with the new buffer's pages faulted in together (populate_pages)
/// before the elements move into it.
template <typename T>
void reserve_populated(std::vector<T>& v, std::size_t capacity) {
  if (capacity <= v.capacity()) return;
  std::vector<T> grown;
  grown.reserve(capacity);
  populate_pages(grown.data(), capacity * sizeof(T));
  grown.insert(grown.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  v.swap(grown);
}

/// Before a push_back to `v`, whose memory is reserved ahead (a capacity it grows within):
/// `room` (<= v.capacity()) counts the elements of that memory faulted in; once v's size
/// reaches it, populate_ahead() moves it on. Inline: stores call it once per element.
template <typename T>
void keep_room_ahead(std::vector<T>& v, std::size_t& room) {
  if (v.size() < room || v.size() >= v.capacity()) return;
  room = populate_ahead(v.data(), v.size(), v.capacity());
}

/// v.resize(size) for size >= v.size(), with the pages of the new elements faulted in
/// together first (and the whole buffer, when the capacity does not hold `size`).
template <typename T>
void grow_populated(std::vector<T>& v, std::size_t size) {
  if (size > v.capacity()) {
    reserve_populated(v, size);
  } else {
    populate_pages(v.data() + v.size(), (size - v.size()) * sizeof(T));
  }
  v.resize(size);
}

/// Before `v` grows to `size` elements (a push_back, a resize): when that needs a larger
/// buffer, one of at least twice the capacity (and kPopulateAheadMinBytes), faulted in
/// together (reserve_populated). For vectors that grow with the requests alive at once.
template <typename T>
void make_room_populated(std::vector<T>& v, std::size_t size) {
  if (size <= v.capacity()) return;
  reserve_populated(v, std::max({size, 2 * v.capacity(), kPopulateAheadMinBytes / sizeof(T)}));
}

}  // namespace llmsim::core
