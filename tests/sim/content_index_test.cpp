// ContentIndex against std::unordered_map: random inserts, finds and erases in a small,
// crowded table, so probe runs wrap around the end and backward-shift deletion is exercised.
#include "sim/engine/content_index.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

using llmsim::sim::ContentIndex;

TEST_CASE("a content index finds what was inserted and forgets what was erased") {
  ContentIndex index(4);
  CHECK(index.find(7) == ContentIndex::kAbsent);
  CHECK(index.insert(7, 3));
  CHECK_FALSE(index.insert(7, 5));  // the first holder of a content stays
  CHECK(index.find(7) == 3);
  CHECK(index.insert(0, 1));  // key 0 is an ordinary key
  CHECK(index.find(0) == 1);
  CHECK(index.size() == 2);
  index.erase(7);
  CHECK(index.find(7) == ContentIndex::kAbsent);
  CHECK(index.find(0) == 1);
  CHECK(index.size() == 1);
}

TEST_CASE("a content index agrees with std::unordered_map under random use") {
  constexpr std::int64_t kMax = 24;  // 64 slots: probe runs collide and wrap
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    ContentIndex index(kMax);
    std::unordered_map<std::uint64_t, ContentIndex::BlockId> reference;
    std::mt19937_64 rng(seed);
    // Keys from a small pool, half of them multiples of 2^58 (identical low bits), so that
    // finds hit, inserts collide with present keys, and homes cluster.
    std::vector<std::uint64_t> pool;
    for (int i = 0; i < 40; ++i) pool.push_back(i % 2 == 0 ? rng() : (rng() % 64) << 58);
    for (int op = 0; op < 4000; ++op) {
      const std::uint64_t key = pool[rng() % pool.size()];
      const auto block = static_cast<ContentIndex::BlockId>(rng() % 1000);
      const auto found = reference.find(key);
      switch (rng() % 3) {
        case 0:
          if (found == reference.end() && static_cast<std::int64_t>(reference.size()) < kMax) {
            REQUIRE(index.insert(key, block));
            reference.emplace(key, block);
          } else if (found != reference.end()) {
            REQUIRE_FALSE(index.insert(key, block));
          }
          break;
        case 1:
          if (found != reference.end()) {
            index.erase(key);
            reference.erase(found);
          }
          break;
        default:
          REQUIRE(index.find(key) == (found == reference.end() ? ContentIndex::kAbsent : found->second));
      }
      REQUIRE(index.size() == static_cast<std::int64_t>(reference.size()));
    }
    std::int64_t visited = 0;
    index.for_each([&](std::uint64_t key, ContentIndex::BlockId block) {
      ++visited;
      REQUIRE(reference.count(key) == 1);
      CHECK(reference.at(key) == block);
    });
    CHECK(visited == static_cast<std::int64_t>(reference.size()));
  }
}
