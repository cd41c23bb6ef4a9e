// Micro benchmarks: the paged KV cache. Every request allocates and releases one block per
// block_size tokens of prompt and output (about 96 blocks for bench-100k's mean request),
// and with prefix caching every admission looks its prompt's blocks up.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/engine/kv_block_manager.h"

namespace {

using llmsim::sim::KvBlockManager;

/// A request's worth of blocks allocated, then released (no prefix caching); range(1) 1:
/// block ids tracked (prefix caching or forks), 0: counted only.
void BM_AllocateRelease(benchmark::State& state) {
  const std::int64_t blocks = state.range(0);
  KvBlockManager kv(28791, false, state.range(1) != 0);  // Llama-3.1-8B bf16, one H100, 0.9
  llmsim::sim::BlockList held;
  kv.reserve(held, blocks);
  for (auto _ : state) {
    const bool ok = kv.allocate(blocks, held);
    benchmark::DoNotOptimize(ok);
    kv.release(held);
  }
  state.SetItemsProcessed(state.iterations() * blocks);
}
BENCHMARK(BM_AllocateRelease)->ArgsProduct({{1, 16, 96}, {0, 1}});

/// Looking up a 64-block prompt whose first 48 blocks are cached (evictable).
void BM_PrefixLookup(benchmark::State& state) {
  KvBlockManager kv(28791, true);
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 0; i < 64; ++i) ids.push_back(0x9e3779b97f4a7c15ULL * (i + 1));
  llmsim::sim::BlockList held;
  kv.allocate(48, held);
  for (std::size_t i = 0; i < 48; ++i) kv.register_block(held.ids()[i], ids[i]);
  kv.release(held);
  for (auto _ : state) {
    const KvBlockManager::PrefixHit hit = kv.lookup(ids);
    benchmark::DoNotOptimize(hit);
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_PrefixLookup);

}  // namespace

BENCHMARK_MAIN();
