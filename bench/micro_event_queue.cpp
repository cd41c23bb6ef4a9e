// Micro benchmark: the simulator's event queue, in steady state (one pop, one push) at
// several queue sizes. A run with decode stretches holds about one event per replica plus
// the next arrival; a step-by-step run pushes and pops one per iteration.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <variant>

#include "sim/cluster/event_queue.h"

namespace {

struct Arrival {};
struct IterationEnd {
  std::int32_t pool = 0;
  std::int32_t replica = 0;
};
using Event = std::variant<Arrival, IterationEnd>;

void BM_PopPush(benchmark::State& state) {
  llmsim::sim::EventQueue<Event> queue;
  const std::int64_t size = state.range(0);
  // Deterministic, spread-out times (a multiplicative hash of the index).
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  const auto next_gap = [&x] {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return static_cast<llmsim::sim::TimeNs>((x * 0x2545F4914F6CDD1DULL) >> 40) + 1;
  };
  for (std::int64_t i = 0; i < size; ++i) {
    queue.push(next_gap(), IterationEnd{0, static_cast<std::int32_t>(i)});
  }
  for (auto _ : state) {
    const auto entry = queue.pop();
    queue.push(entry.time_ns + next_gap(), entry.event);
    benchmark::DoNotOptimize(entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PopPush)->Arg(2)->Arg(9)->Arg(64)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();
