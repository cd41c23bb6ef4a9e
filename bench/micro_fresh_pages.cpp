// Micro benchmarks: what a fresh page costs the stores that grow through a run (issue 6,
// core/fresh_pages.h). Each iteration maps `range(0)` fresh anonymous 4 KiB pages, writes one
// byte in each and unmaps them: either every first write takes a page fault, or the pages
// are populated first in one MADV_POPULATE_WRITE call (core::populate_pages); a third
// variant populates and writes nothing (what populating alone costs). Items are pages, so
// items_per_second reads as pages per second (its inverse: the cost of a page).
#include <benchmark/benchmark.h>

#include <cstddef>

#include <sys/mman.h>
#include <unistd.h>

#include "core/fresh_pages.h"

namespace {

void write_each_page(benchmark::State& state, bool populate_first, bool write = true) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const auto pages = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* mapping = mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
      state.SkipWithError("mmap failed");
      return;
    }
    auto* bytes = static_cast<unsigned char*>(mapping);
    if (populate_first) llmsim::core::populate_pages(bytes, pages * page);
    if (write) {
      for (std::size_t p = 0; p < pages; ++p) bytes[p * page] = 1;
    }
    benchmark::ClobberMemory();
    state.PauseTiming();
    munmap(mapping, pages * page);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_FaultOnFirstWrite(benchmark::State& state) { write_each_page(state, false); }
void BM_PopulateThenWrite(benchmark::State& state) { write_each_page(state, true); }
void BM_PopulateOnly(benchmark::State& state) { write_each_page(state, true, false); }

BENCHMARK(BM_FaultOnFirstWrite)->Arg(16)->Arg(256)->Arg(2048);
BENCHMARK(BM_PopulateThenWrite)->Arg(16)->Arg(256)->Arg(2048);
BENCHMARK(BM_PopulateOnly)->Arg(16)->Arg(256)->Arg(2048);

}  // namespace

BENCHMARK_MAIN();
