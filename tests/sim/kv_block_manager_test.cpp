#include "sim/engine/kv_block_manager.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using llmsim::sim::BlockList;
using llmsim::sim::KvBlockManager;
using BlockIds = std::vector<KvBlockManager::BlockId>;

namespace {

void check_conserved(const KvBlockManager& kv) {
  CHECK(kv.num_allocated() + kv.num_free() + kv.num_cached_evictable() == kv.num_blocks());
  kv.audit();
}

}  // namespace

TEST_CASE("allocating and releasing blocks conserves the total") {
  KvBlockManager kv(10, /*prefix_caching=*/false);
  BlockList a, b;
  REQUIRE(kv.allocate(4, a));
  REQUIRE(kv.allocate(6, b));
  CHECK(kv.num_allocated() == 10);
  CHECK(kv.num_available() == 0);
  check_conserved(kv);
  kv.release(a);
  CHECK(kv.num_allocated() == 6);
  CHECK(kv.num_free() == 4);
  check_conserved(kv);
  kv.release(b);
  CHECK(kv.num_free() == 10);
  check_conserved(kv);
}

TEST_CASE("an allocation larger than what is available fails and changes nothing") {
  KvBlockManager kv(5, false);
  BlockList a;
  REQUIRE(kv.allocate(3, a));
  BlockList b;
  CHECK_FALSE(kv.allocate(3, b));
  CHECK(b.empty());
  CHECK(kv.num_allocated() == 3);
  CHECK(kv.num_free() == 2);
  check_conserved(kv);
}

TEST_CASE("registered blocks stay cached after release and a later request reuses them") {
  KvBlockManager kv(8, true);
  BlockList first;
  REQUIRE(kv.allocate(3, first));
  const BlockIds first_ids(first.ids().begin(), first.ids().end());
  CHECK(kv.register_block(first_ids[0], 100));
  CHECK(kv.register_block(first_ids[1], 200));
  kv.release(first);
  CHECK(first.empty());
  // Two registered blocks are cached-evictable, the unregistered third is free.
  CHECK(kv.num_cached_evictable() == 2);
  CHECK(kv.num_free() == 6);
  check_conserved(kv);

  const std::vector<std::uint64_t> chain{100, 200, 300};
  const KvBlockManager::PrefixHit hit = kv.lookup(chain);
  CHECK(hit.blocks == 2);
  CHECK(hit.evictable_blocks == 2);
  BlockList second;
  kv.acquire_cached(chain, hit.blocks, second);
  CHECK(BlockIds(second.ids().begin(), second.ids().end()) == BlockIds{first_ids[0], first_ids[1]});
  CHECK(kv.num_cached_evictable() == 0);
  CHECK(kv.num_allocated() == 2);
  check_conserved(kv);
}

TEST_CASE("a cached block shared by two requests stays allocated until both release it") {
  KvBlockManager kv(4, true);
  BlockList owner;
  REQUIRE(kv.allocate(1, owner));
  REQUIRE(kv.register_block(owner.ids()[0], 42));
  const std::vector<std::uint64_t> chain{42};
  const KvBlockManager::PrefixHit hit = kv.lookup(chain);
  CHECK(hit.blocks == 1);
  CHECK(hit.evictable_blocks == 0);  // in use, not evictable
  BlockList sharer;
  kv.acquire_cached(chain, 1, sharer);
  CHECK(kv.num_allocated() == 1);
  kv.release(owner);
  CHECK(kv.num_allocated() == 1);
  kv.release(sharer);
  CHECK(kv.num_allocated() == 0);
  CHECK(kv.num_cached_evictable() == 1);
  check_conserved(kv);
}

TEST_CASE("free blocks are used before cached ones and eviction takes the least recently released first") {
  KvBlockManager kv(4, true);
  BlockList a, b;
  REQUIRE(kv.allocate(2, a));
  REQUIRE(kv.allocate(1, b));
  const BlockIds a_ids(a.ids().begin(), a.ids().end());
  REQUIRE(kv.register_block(a_ids[0], 1));
  REQUIRE(kv.register_block(a_ids[1], 2));
  REQUIRE(kv.register_block(b.ids()[0], 3));
  kv.release(a);  // released last block first: LRU order a.ids()[1], a.ids()[0]
  kv.release(b);  // then b.ids()[0]
  CHECK(kv.num_free() == 1);
  CHECK(kv.num_cached_evictable() == 3);

  BlockList c;
  REQUIRE(kv.allocate(1, c));  // the free block, no eviction
  CHECK(kv.lookup(std::vector<std::uint64_t>{1, 2}).blocks == 2);
  CHECK(kv.lookup(std::vector<std::uint64_t>{3}).blocks == 1);

  BlockList d;
  REQUIRE(kv.allocate(1, d));  // evicts a.ids()[1] (content 2): a's tail goes first
  CHECK(d.ids()[0] == a_ids[1]);
  CHECK(kv.lookup(std::vector<std::uint64_t>{1, 2}).blocks == 1);
  BlockList e;
  REQUIRE(kv.allocate(1, e));  // then a.ids()[0] (content 1)
  CHECK(e.ids()[0] == a_ids[0]);
  CHECK(kv.lookup(std::vector<std::uint64_t>{1}).blocks == 0);
  CHECK(kv.lookup(std::vector<std::uint64_t>{3}).blocks == 1);
  check_conserved(kv);
}

TEST_CASE("a content already cached in another block is not registered twice") {
  KvBlockManager kv(4, true);
  BlockList a, b;
  REQUIRE(kv.allocate(1, a));
  REQUIRE(kv.allocate(1, b));
  CHECK(kv.register_block(a.ids()[0], 9));
  CHECK_FALSE(kv.register_block(b.ids()[0], 9));
  kv.release(b);
  CHECK(kv.num_free() == 3);  // b went back as plain free
  check_conserved(kv);
}

TEST_CASE("with prefix caching off nothing is registered or found") {
  KvBlockManager kv(4, false);
  BlockList a;
  REQUIRE(kv.allocate(1, a));
  CHECK_FALSE(kv.register_block(a.ids()[0], 5));
  kv.release(a);
  CHECK(kv.lookup(std::vector<std::uint64_t>{5}).blocks == 0);
  CHECK(kv.num_cached_evictable() == 0);
  check_conserved(kv);
}

TEST_CASE("a manager that only counts blocks gives the counts of one that tracks their ids") {
  KvBlockManager tracked(12, false);
  KvBlockManager counted(12, false, /*track_ids=*/false);
  CHECK_FALSE(counted.tracks_ids());
  BlockList t1, t2, c1, c2;
  for (KvBlockManager* kv : {&tracked, &counted}) {
    BlockList& x = kv == &tracked ? t1 : c1;
    BlockList& y = kv == &tracked ? t2 : c2;
    REQUIRE(kv->allocate(5, x));
    REQUIRE(kv->allocate(4, y));
    CHECK_FALSE(kv->allocate(4, y));  // 3 left: fails, changes nothing
    CHECK(y.size() == 4);
    y.take_tail(x, 2);  // e.g. the decode group hands a member its owed blocks
    CHECK(x.size() == 3);
    CHECK(y.size() == 6);
    kv->release(x);
    CHECK(x.empty());
    CHECK(kv->num_allocated() == 6);
    CHECK(kv->num_free() == 6);
    check_conserved(*kv);
  }
  CHECK(t2.ids().size() == 6);
  CHECK(c2.ids().empty());  // counted: no ids, only the count
  counted.release(c2);
  CHECK(counted.num_free() == 12);
  check_conserved(counted);
}

TEST_CASE("a lookup sees the registrations, evictions and references made since the lookup before it") {
  // lookup() reuses its previous answer for the ids two lookups share while no block was
  // registered or evicted in between: each step below would fail on a stale answer.
  KvBlockManager kv(4, true);
  BlockList a;
  REQUIRE(kv.allocate(3, a));
  const BlockIds a_ids(a.ids().begin(), a.ids().end());
  REQUIRE(kv.register_block(a_ids[0], 1));
  REQUIRE(kv.register_block(a_ids[1], 2));
  const std::vector<std::uint64_t> chain{1, 2, 3};
  CHECK(kv.lookup(chain).blocks == 2);
  CHECK(kv.lookup(chain).blocks == 2);  // the same ids: the same run
  REQUIRE(kv.register_block(a_ids[2], 3));
  CHECK(kv.lookup(chain).blocks == 3);  // a registration since
  CHECK(kv.lookup(std::vector<std::uint64_t>{1, 2, 4}).blocks == 2);  // diverges at the third
  CHECK(kv.lookup(std::vector<std::uint64_t>{1}).blocks == 1);
  CHECK(kv.lookup(std::vector<std::uint64_t>{1, 2, 3, 4}).blocks == 3);
  CHECK(kv.lookup(std::vector<std::uint64_t>{9, 2, 3}).blocks == 0);
  CHECK(kv.lookup(chain).evictable_blocks == 0);
  kv.release(a);  // all three cached-evictable, content 3 least recently released
  CHECK(kv.lookup(chain).evictable_blocks == 3);  // references dropped since, no map change
  BlockList b;
  REQUIRE(kv.allocate(2, b));  // the free block, then evicts content 3
  CHECK(kv.lookup(chain).blocks == 2);
  CHECK(kv.lookup(chain).evictable_blocks == 2);
  BlockList c;
  kv.acquire_cached(chain, 2, c);
  CHECK(BlockIds(c.ids().begin(), c.ids().end()) == BlockIds{a_ids[0], a_ids[1]});
  CHECK(kv.lookup(chain).evictable_blocks == 0);
  kv.release(b);
  kv.release(c);
  BlockList d;
  REQUIRE(kv.allocate(4, d));  // evicts contents 2 and 1 too
  CHECK(kv.lookup(chain).blocks == 0);
  check_conserved(kv);
}
