// TraceWriter: Chrome trace-event JSON of iterations and request lifetimes in a window.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "sim/metrics/trace_writer.h"

namespace {

using namespace llmsim::sim;

Scenario two_replicas() {
  Scenario scenario;
  PoolSpec pool;
  pool.name = "default";
  pool.replicas = 2;
  scenario.pools.push_back(pool);
  return scenario;
}

IterationPlan plan_at(std::int64_t start_ns, std::int64_t end_ns) {
  IterationPlan plan;
  plan.index = 7;
  plan.start_ns = start_ns;
  plan.end_ns = end_ns;
  plan.seqs.resize(3);
  plan.shape.prefill_seqs = 1;
  plan.shape.prefill_tokens = 512;
  plan.shape.decode_seqs = 2;
  plan.cost.bound = llmsim::hw::Bound::compute;
  return plan;
}

RequestRecord completed(std::uint64_t id, std::int32_t replica, std::int64_t arrival_ns, std::int64_t end_ns) {
  RequestRecord r;
  r.id = id;
  r.pool = 0;
  r.replica = replica;
  r.status = RequestStatus::completed;
  r.arrival_ns = arrival_ns;
  r.scheduled_ns = arrival_ns + 1000;
  r.first_token_ns = arrival_ns + 2000;
  r.completion_ns = end_ns;
  return r;
}

}  // namespace

TEST_CASE("the trace holds iterations and requests overlapping the window in microseconds") {
  TraceOptions options;
  options.start_ns = 1'000'000;
  options.end_ns = 2'000'000;
  TraceWriter writer(two_replicas(), options);
  const IterationPlan inside = plan_at(1'500'000, 1'512'345);
  const IterationPlan outside = plan_at(3'000'000, 3'010'000);
  IterationView view;
  view.replica_slot = 1;
  view.plan = &inside;
  writer.on_iteration_end(view);
  view.plan = &outside;
  writer.on_iteration_end(view);

  RunResult result;
  result.requests = {completed(1, 0, 1'100'000, 1'900'000), completed(2, 0, 1'200'000, 1'800'000),
                     completed(3, 0, 5'000'000, 6'000'000)};
  const auto trace = nlohmann::json::parse(writer.json_text(result));
  int iterations = 0;
  int requests = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    if (e["cat"] == "iteration") {
      ++iterations;
      CHECK(e["pid"] == 2);  // replica slot 1
      CHECK(e["tid"] == 0);
      CHECK(e["name"] == "mixed");
      CHECK(e["ts"].get<double>() == doctest::Approx(1500.0));
      CHECK(e["dur"].get<double>() == doctest::Approx(12.345));
      CHECK(e["args"]["bound"] == "compute");
      CHECK(e["args"]["step_ms"].get<double>() == doctest::Approx(0.012345));
    } else if (e["name"].get<std::string>().rfind("request ", 0) == 0) {
      ++requests;
      // Request 2 arrives while request 1 runs on the same replica: the next lane.
      CHECK(e["tid"] == (e["args"]["id"] == 1 ? 1 : 2));
    }
  }
  CHECK(iterations == 1);
  CHECK(requests == 2);
  CHECK(trace["otherData"]["request_events"] == 8);  // two requests, each with three phases
}

TEST_CASE("the trace stops at max_events and says so") {
  TraceOptions options;
  options.max_events = 1;
  TraceWriter writer(two_replicas(), options);
  const IterationPlan plan = plan_at(0, 1000);
  IterationView view;
  view.plan = &plan;
  writer.on_iteration_end(view);
  writer.on_iteration_end(view);
  const auto trace = nlohmann::json::parse(writer.json_text(RunResult{}));
  CHECK(trace["otherData"]["iteration_events"] == 1);
  CHECK(trace["otherData"]["iterations_truncated"] == true);
}
