// Co-located pools (PoolSpec::colocated_with, sim/cluster/gpu_sets.h): engines that share a GPU set
// take turns, one iteration at a time, alternating when both have work.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/input_error.h"
#include "sim/cluster/gpu_sets.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

namespace llmsim::sim {
namespace {

using Json = nlohmann::ordered_json;
using workloads::TimeNs;

constexpr TimeNs kMs = 1'000'000;

/// One finished iteration: which engine, on which GPU set, when.
struct Span {
  std::int32_t pool = 0;
  std::int32_t replica = 0;
  TimeNs start = 0;
  TimeNs end = 0;
};

class SpanRecorder final : public IterationObserver {
 public:
  void on_iteration_end(const IterationView& view) override {
    spans.push_back({view.pool, view.replica, view.plan->start_ns, view.plan->end_ns});
  }
  /// The iterations on GPU set `replica`, in start order.
  std::vector<Span> on_set(std::int32_t replica) const {
    std::vector<Span> out;
    for (const Span& s : spans) {
      if (s.replica == replica) out.push_back(s);
    }
    std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
    return out;
  }
  std::vector<Span> spans;
};

/// Pools of Llama-3.1-8B on one H100 each, named a, b, c...; `colocated[p]` is pool p's
/// colocated_with ("" for GPUs of its own).
Scenario pools_scenario(const std::vector<std::string>& colocated, int replicas = 1) {
  Scenario s = testing::llama_scenario(EngineConfig{}, replicas);
  const PoolSpec first = s.pools[0];
  s.pools.clear();
  for (std::size_t p = 0; p < colocated.size(); ++p) {
    PoolSpec pool = first;
    pool.name = std::string(1, static_cast<char>('a' + p));
    pool.engine.gpu_memory_utilization = 0.3;
    pool.colocated_with = colocated[p];
    s.pools.push_back(pool);
  }
  return s;
}

workloads::RequestSpec on_pool(std::int32_t pool, std::uint64_t id, TimeNs arrival_ns, std::int64_t output_tokens) {
  workloads::RequestSpec r = testing::request(id, arrival_ns, 100, output_tokens);
  r.pool = pool;
  return r;
}

/// Every iteration of pool p takes step_ms[p] milliseconds, whatever its batch.
SimulatorHooks fixed_steps(std::vector<double> step_ms, std::vector<workloads::RequestSpec> requests,
                           std::vector<IterationObserver*> observers = {}) {
  SimulatorHooks hooks;
  hooks.make_pricer = [step_ms](const PoolSpec& pool) {
    const auto p = static_cast<std::size_t>(pool.name[0] - 'a');
    return std::make_unique<testing::LinearPricer>(step_ms.at(p) / 1e3, 0.0);
  };
  hooks.kv_blocks_per_replica = 1000;
  hooks.requests = std::make_unique<testing::ListSource>(std::move(requests));
  hooks.observers = std::move(observers);
  return hooks;
}

/// The pools of consecutive iterations on a GPU set, e.g. "abab".
std::string turns(const std::vector<Span>& spans) {
  std::string out;
  for (const Span& s : spans) out += static_cast<char>('a' + s.pool);
  return out;
}

void check_no_overlap(const std::vector<Span>& spans) {
  for (std::size_t i = 1; i < spans.size(); ++i) {
    CAPTURE(i);
    CHECK(spans[i].start >= spans[i - 1].end);
  }
}

}  // namespace

TEST_CASE("two engines on one GPU alternate and the makespan is the sum of their iterations") {
  // a: 5 iterations of 10 ms (prefill + 4 decodes), b: 3 of 7 ms, both arriving at 0. a goes
  // first (the group's first pool), then they alternate while both have work:
  //   a 0-10, b 10-17, a 17-27, b 27-34, a 34-44, b 44-51 (b done), a 51-61, a 61-71.
  const Scenario scenario = pools_scenario({"", "a"});
  SpanRecorder spans;
  Simulator simulator(scenario, fixed_steps({10, 7}, {on_pool(0, 0, 0, 5), on_pool(1, 1, 0, 3)}, {&spans}));
  const RunResult r = simulator.run();
  const std::vector<Span> set = spans.on_set(0);
  CHECK(turns(set) == "abababaa");
  check_no_overlap(set);
  for (std::size_t i = 1; i < set.size(); ++i) CHECK(set[i].start == set[i - 1].end);  // never idle with work
  REQUIRE(r.requests.size() == 2);
  CHECK(r.requests[0].first_token_ns == 10 * kMs);
  CHECK(r.requests[0].completion_ns == 71 * kMs);
  CHECK(r.requests[1].first_token_ns == 17 * kMs);
  CHECK(r.requests[1].completion_ns == 51 * kMs);
  const Json& s = r.summary;
  CHECK(s["duration"].get<double>() == doctest::Approx(0.071));
  CHECK(s["utilization"]["busy_time_share"].get<double>() == doctest::Approx(1.0));  // one GPU set, always busy
  CHECK(s["scenario"]["pools"][1]["colocated_with"] == "a");
  CHECK_FALSE(s["scenario"]["pools"][0].contains("colocated_with"));
  CHECK(s["scenario"]["gpus"] == 1);
}

TEST_CASE("the same work on separate GPUs ends sooner than on a shared one") {
  const auto makespan = [](const std::vector<std::string>& colocated) {
    Simulator simulator(pools_scenario(colocated), fixed_steps({10, 7}, {on_pool(0, 0, 0, 5), on_pool(1, 1, 0, 3)}));
    return simulator.run().summary["duration"].get<double>();
  };
  const double separate = makespan({"", ""});
  const double shared = makespan({"", "a"});
  CHECK(separate == doctest::Approx(0.050));  // a alone: 5 x 10 ms
  CHECK(shared == doctest::Approx(0.071));    // 5 x 10 + 3 x 7 ms, one after the other
  CHECK(shared >= separate);
}

TEST_CASE("an engine whose work arrives mid-iteration waits for the GPU, then goes before the other") {
  // a runs 0-10, 10-20, 20-30; b's request arrives at 25 and waits; at 30 b goes first (a ran
  // last): b 30-37, a 37-47, b 47-54, a 54-64 (a's 5th, done), b 64-71 (b's 3rd, done).
  SpanRecorder spans;
  Simulator simulator(pools_scenario({"", "a"}),
                      fixed_steps({10, 7}, {on_pool(0, 0, 0, 5), on_pool(1, 1, 25 * kMs, 3)}, {&spans}));
  const RunResult r = simulator.run();
  const std::vector<Span> set = spans.on_set(0);
  CHECK(turns(set) == "aaababab");
  check_no_overlap(set);
  CHECK(set[3].start == 30 * kMs);
  CHECK(r.requests[0].completion_ns == 64 * kMs);
  CHECK(r.requests[1].first_token_ns == 37 * kMs);
  CHECK(r.requests[1].completion_ns == 71 * kMs);
}

TEST_CASE("three engines on one GPU take turns in pool order") {
  // b names a, c names b: one group. Each has 2 iterations (output 2); steps 10, 7 and 5 ms:
  //   a 0-10, b 10-17, c 17-22, a 22-32, b 32-39, c 39-44.
  SpanRecorder spans;
  Simulator simulator(pools_scenario({"", "a", "b"}),
                      fixed_steps({10, 7, 5}, {on_pool(0, 0, 0, 2), on_pool(1, 1, 0, 2), on_pool(2, 2, 0, 2)},
                                  {&spans}));
  const RunResult r = simulator.run();
  CHECK(turns(spans.on_set(0)) == "abcabc");
  CHECK(r.summary["duration"].get<double>() == doctest::Approx(0.044));
  CHECK(r.summary["scenario"]["gpus"] == 1);
}

TEST_CASE("replica r of co-located pools shares GPU set r only") {
  // Two replicas each; round robin sends a's two requests to its replicas 0 and 1 and b's to
  // its replicas 0 and 1. Each GPU set alternates a and b; the two sets run side by side.
  SpanRecorder spans;
  Simulator simulator(pools_scenario({"", "a"}, 2),
                      fixed_steps({10, 7}, {on_pool(0, 0, 0, 3), on_pool(0, 1, 0, 3), on_pool(1, 2, 0, 3),
                                            on_pool(1, 3, 0, 3)},
                                  {&spans}));
  const RunResult r = simulator.run();
  for (std::int32_t set = 0; set < 2; ++set) {
    CAPTURE(set);
    CHECK(turns(spans.on_set(set)) == "ababab");
    check_no_overlap(spans.on_set(set));
  }
  CHECK(r.summary["duration"].get<double>() == doctest::Approx(0.051));  // 3 x 10 + 3 x 7 ms
  CHECK(r.summary["scenario"]["gpus"] == 2);
  CHECK(r.summary["utilization"]["busy_time_share"].get<double>() == doctest::Approx(1.0));
}

TEST_CASE("co-located runs give the same results fast and step by step") {
  std::vector<workloads::RequestSpec> requests;
  for (std::uint64_t i = 0; i < 40; ++i) {
    workloads::RequestSpec r = testing::request(i, static_cast<TimeNs>(i) * 3 * kMs, 50 + 7 * static_cast<std::int64_t>(i % 5),
                                                20 + static_cast<std::int64_t>(i % 13));
    r.pool = static_cast<std::int32_t>(i % 2);
    requests.push_back(r);
  }
  const auto run = [&](bool step_by_step) {
    SimulatorHooks hooks = testing::linear_hooks(0.010, 0.000001, 1000, requests);
    hooks.step_by_step = step_by_step;
    Simulator simulator(pools_scenario({"", "a"}), std::move(hooks));
    const RunResult result = simulator.run();
    return summary_json_text(result) + requests_csv_text(result);
  };
  CHECK(run(false) == run(true));
}

TEST_CASE("a beam search with the PRM on the generator's GPU never overlaps their iterations") {
  // The program source: generator calls on pool a, PRM calls on pool b (released when the
  // generator's step finishes), LinearPricer times.
  const auto scenario_with = [](const std::string& colocated) {
    Scenario s = pools_scenario({"", colocated});
    workloads::TtcSpec spec;
    spec.question_tokens = workloads::LengthDistribution{workloads::FixedLength{500}};
    spec.step_tokens = workloads::LengthDistribution{workloads::FixedLength{100}};
    spec.steps = workloads::LengthDistribution{workloads::FixedLength{6}};
    spec.max_context_budget_tokens = 4096;
    spec.beam_size = 2;
    spec.candidates_per_beam = 4;
    spec.generator_pool = 0;
    spec.prm_pool = 1;
    s.workload.kind = workloads::WorkloadKind::beam_search;
    s.workload.num_requests = 6;
    s.workload.arrival.process = workloads::ArrivalProcess::poisson;
    s.workload.arrival.rate_per_s = 2.0;
    s.workload.ttc = spec;
    return s;
  };
  const auto hooks = [](std::vector<IterationObserver*> observers) {
    SimulatorHooks h;
    h.make_pricer = [](const PoolSpec&) { return std::make_unique<testing::LinearPricer>(0.010, 0.000001); };
    h.kv_blocks_per_replica = 100000;
    h.observers = std::move(observers);
    return h;
  };
  SpanRecorder spans;
  Simulator shared(scenario_with("a"), hooks({&spans}));
  const RunResult colocated = shared.run();
  const std::vector<Span> set = spans.on_set(0);
  check_no_overlap(set);
  const std::string order = turns(set);
  CHECK(order.find('a') != std::string::npos);
  CHECK(order.find('b') != std::string::npos);
  CHECK(colocated.summary["test_time_compute"]["problems"]["completed"] == 6);
  const Json& pools = colocated.summary["test_time_compute"]["pools"];
  CHECK(pools[0]["gpus"] == 1);
  CHECK(pools[1]["gpus"] == 0);  // counted once, with pool a
  CHECK(pools[1]["colocated_with"] == "a");

  Simulator apart(scenario_with(""), hooks({}));
  const RunResult separate = apart.run();
  CHECK_FALSE(separate.summary["test_time_compute"]["pools"][1].contains("colocated_with"));
  CHECK(colocated.summary["duration"].get<double>() >= separate.summary["duration"].get<double>());
  CHECK(colocated.summary["test_time_compute"]["latency_per_problem_ms"]["mean"].get<double>() >
        separate.summary["test_time_compute"]["latency_per_problem_ms"]["mean"].get<double>());

  Simulator fast(scenario_with("a"), hooks({}));
  CHECK(summary_json_text(fast.run()) == summary_json_text(colocated));
}

TEST_CASE("the simulator refuses a colocated_with that the loader would reject") {
  Scenario s = pools_scenario({"", "z"});
  CHECK_THROWS_WITH_AS(Simulator(s, fixed_steps({10, 7}, {})),
                       doctest::Contains("pools[1].colocated_with: no pool named \"z\""), core::InputError);
  s = pools_scenario({"", "a"});
  s.pools[1].tensor_parallel = 2;
  CHECK_THROWS_WITH_AS(Simulator(s, fixed_steps({10, 7}, {})),
                       doctest::Contains("tensor_parallel 2 but pool \"a\" 1"), core::InputError);
  s = pools_scenario({"", "a"});
  s.pools[1].engine.gpu_memory_utilization = 0.8;
  CHECK_THROWS_WITH_AS(Simulator(s, fixed_steps({10, 7}, {})),
                       doctest::Contains("sum to 1.1 (a 0.3 + b 0.8)"), core::InputError);
}

TEST_CASE("GpuSets hands a free set to the engine after the one that ran last, cyclically") {
  const Scenario s = pools_scenario({"", "", "b", "b"});  // a alone; b, c, d share
  const GpuSets sets(s.pools);
  CHECK_FALSE(sets.shared(0));
  CHECK(sets.shared(1));
  CHECK(sets.group(3) == std::vector<std::int32_t>{1, 2, 3});
  GpuSets g(s.pools);
  const auto all = [](std::int32_t) { return true; };
  CHECK(g.next(2, 0, all) == 1);  // nothing ran yet: the owner first
  g.start(1, 0);
  CHECK(g.busy(3, 0));
  g.finish(1, 0);
  CHECK_FALSE(g.busy(3, 0));
  CHECK(g.next(1, 0, all) == 2);
  CHECK(g.next(1, 0, [](std::int32_t p) { return p != 2; }) == 3);
  CHECK(g.next(1, 0, [](std::int32_t p) { return p == 1; }) == 1);  // alone, it goes again
  CHECK(g.next(1, 0, [](std::int32_t) { return false; }) == -1);
  g.start(3, 0);
  g.finish(3, 0);
  CHECK(g.next(1, 0, all) == 1);  // after the last, back to the first
  CHECK(gpu_set_count(s.pools) == 2);
  CHECK(gpu_count(s.pools) == 2);
}

}  // namespace llmsim::sim
