#include "core/fresh_pages.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

using llmsim::core::kPopulateAheadMinBytes;
using llmsim::core::populate_ahead;
using llmsim::core::populate_pages;

namespace {

/// Fresh anonymous pages, none faulted in, unmapped at the end of the test.
class FreshMapping {
 public:
  explicit FreshMapping(std::size_t pages)
      : bytes_(pages * page_bytes()),
        data_(static_cast<unsigned char*>(
            mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))) {
    REQUIRE(static_cast<void*>(data_) != MAP_FAILED);
  }
  FreshMapping(const FreshMapping&) = delete;
  FreshMapping& operator=(const FreshMapping&) = delete;
  ~FreshMapping() { munmap(data_, bytes_); }

  static std::size_t page_bytes() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }
  unsigned char* data() const { return data_; }
  /// Whether each page is resident (mincore).
  std::vector<bool> resident() const {
    std::vector<unsigned char> flags(bytes_ / page_bytes());
    REQUIRE(mincore(data_, bytes_, flags.data()) == 0);
    std::vector<bool> out;
    for (const unsigned char f : flags) out.push_back((f & 1) != 0);
    return out;
  }

 private:
  std::size_t bytes_;
  unsigned char* data_;
};

}  // namespace

TEST_CASE("populating faults in the whole pages of a range and changes no byte") {
  const std::size_t page = FreshMapping::page_bytes();
  FreshMapping mapping(8);
  for (const bool r : mapping.resident()) REQUIRE_FALSE(r);
  // From the middle of page 1 to the middle of page 5: pages 1 to 4 (the one holding the
  // start, up to the last one the range fills whole).
  if (!populate_pages(mapping.data() + page + page / 2, 4 * page)) {
    MESSAGE("MADV_POPULATE_WRITE is not supported here: nothing to check but the contents");
  } else {
    const std::vector<bool> resident = mapping.resident();
    CHECK_FALSE(resident[0]);
    for (std::size_t p = 1; p <= 4; ++p) CHECK(resident[p]);
    for (std::size_t p = 5; p < 8; ++p) CHECK_FALSE(resident[p]);
  }
  for (std::size_t i = 0; i < 8 * page; ++i) REQUIRE(mapping.data()[i] == 0);
}

TEST_CASE("populating keeps what was written") {
  std::vector<std::uint64_t> words(100000);
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = i * 2654435761u;
  populate_pages(words.data() + 7, (words.size() - 7) * sizeof(std::uint64_t));
  for (std::size_t i = 0; i < words.size(); ++i) REQUIRE(words[i] == i * 2654435761u);
}

TEST_CASE("a range within one page is left alone") {
  FreshMapping mapping(2);
  CHECK_FALSE(populate_pages(mapping.data() + 16, 100));
  CHECK_FALSE(populate_pages(mapping.data(), 0));
  for (const bool r : mapping.resident()) CHECK_FALSE(r);
}

TEST_CASE("a growing store's room grows by at least half of what it holds, within capacity") {
  std::vector<double> store;
  store.reserve(1000000);
  const std::size_t min_elements = kPopulateAheadMinBytes / sizeof(double);
  // The first room: the minimum stretch.
  CHECK(populate_ahead(store.data(), 0, store.capacity()) == min_elements);
  // Past it, half of what is held.
  CHECK(populate_ahead(store.data(), 100000, store.capacity()) == 150000);
  // Never past the capacity.
  CHECK(populate_ahead(store.data(), 999000, store.capacity()) == 1000000);
  CHECK(populate_ahead(store.data(), 1000000, store.capacity()) == 1000000);
  // A store that fills its room each time calls O(log n) times on its way to n elements:
  // the minimum stretch, then growth by 3/2 at least.
  std::size_t calls = 0;
  for (std::size_t room = 0; room < store.capacity(); ++calls) {
    room = populate_ahead(store.data(), room, store.capacity());
  }
  const double growths = std::log(1000000.0 / static_cast<double>(min_elements)) / std::log(1.5);
  CHECK(static_cast<double>(calls) <= 1.0 + std::ceil(growths));
}

TEST_CASE("a populated reserve keeps the elements in order and grows the capacity") {
  std::vector<std::vector<int>> v;  // elements that own memory: moved, not copied
  for (int i = 0; i < 1000; ++i) {
    llmsim::core::make_room_populated(v, v.size() + 1);
    REQUIRE(v.capacity() >= v.size() + 1);
    v.push_back(std::vector<int>(3, i));
  }
  for (int i = 0; i < 1000; ++i) REQUIRE(v[static_cast<std::size_t>(i)] == std::vector<int>(3, i));
  // Growth at least doubles, from at least kPopulateAheadMinBytes' worth.
  std::vector<double> d;
  llmsim::core::make_room_populated(d, 1);
  CHECK(d.capacity() >= kPopulateAheadMinBytes / sizeof(double));
  const std::size_t before = d.capacity();
  d.resize(before);
  llmsim::core::make_room_populated(d, before + 1);
  CHECK(d.capacity() >= 2 * before);
  // No growth while the capacity holds the size asked for.
  llmsim::core::reserve_populated(d, 10);
  CHECK(d.capacity() >= 2 * before);
}

TEST_CASE("a store's room stays ahead of its size and within its capacity") {
  std::vector<std::uint64_t> store;
  store.reserve(100000);
  std::size_t room = 0;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    llmsim::core::keep_room_ahead(store, room);
    REQUIRE(room > store.size());
    REQUIRE(room <= store.capacity());
    store.push_back(i);
  }
  // Full: the room is the capacity, and a call at capacity changes nothing.
  CHECK(room == store.capacity());
  llmsim::core::keep_room_ahead(store, room);
  CHECK(room == store.capacity());
  for (std::uint64_t i = 0; i < 100000; ++i) REQUIRE(store[i] == i);
}

TEST_CASE("a populated growth keeps the elements and value-initialises the new ones") {
  std::vector<std::int64_t> counts{5, 6, 7};
  llmsim::core::grow_populated(counts, 100000);  // past the capacity: a new buffer
  REQUIRE(counts.size() == 100000);
  CHECK(counts[0] == 5);
  CHECK(counts[2] == 7);
  for (std::size_t i = 3; i < counts.size(); ++i) REQUIRE(counts[i] == 0);
  counts[99999] = 9;
  counts.reserve(300000);
  llmsim::core::grow_populated(counts, 200000);  // within the capacity: in place
  CHECK(counts.capacity() >= 300000);
  CHECK(counts[99999] == 9);
  for (std::size_t i = 100000; i < counts.size(); ++i) REQUIRE(counts[i] == 0);
}
