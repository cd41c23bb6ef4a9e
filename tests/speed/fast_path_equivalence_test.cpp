// The fast path (decode groups, running ahead over decode stretches; Replica::advance) gives
// the same results as the reference mode, one iteration per event (--step-by-step), on every
// scenario shipped in configs/scenarios (DESIGN.md section 4). Scenarios added later are
// covered automatically; request counts are capped so that each runs quickly twice.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "loader/scenario_loader.h"
#include "sim/metrics/requests_csv.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/gpu_sets.h"
#include "sim/cluster/simulator.h"
#include "sim/metrics/time_series.h"
#include "sim/metrics/trace_writer.h"

namespace {

namespace fs = std::filesystem;
using llmsim::loader::Override;
using llmsim::sim::Scenario;

struct Outputs {
  std::string summary;   ///< summary.json text
  std::string requests;  ///< requests.csv text (empty without records)
};

Outputs run(const Scenario& scenario, bool step_by_step, bool keep_records = true) {
  llmsim::sim::SimulatorHooks hooks;
  hooks.step_by_step = step_by_step;
  hooks.keep_request_records = keep_records;
  llmsim::sim::Simulator simulator(scenario, std::move(hooks));
  const llmsim::sim::RunResult result = simulator.run();
  return {llmsim::sim::summary_json_text(result), llmsim::sim::requests_csv_text(result)};
}

/// requests.csv text from SimulatorHooks::request_sink, formatted as the rows arrive, and
/// the summary of that run.
Outputs run_streamed(const Scenario& scenario) {
  std::string csv;
  llmsim::sim::RequestsCsvFormatter formatter(llmsim::sim::pool_names(scenario),
                                              [&csv](std::string_view chunk) { csv.append(chunk); });
  llmsim::sim::SimulatorHooks hooks;
  hooks.request_sink = [&formatter](const llmsim::sim::RequestRecord& record) { formatter.add(record); };
  llmsim::sim::Simulator simulator(scenario, std::move(hooks));
  CHECK(simulator.streams_requests());
  const llmsim::sim::RunResult result = simulator.run();
  CHECK(result.requests.empty());  // records are reused
  formatter.flush();
  return {llmsim::sim::summary_json_text(result), csv};
}

std::vector<fs::path> shipped_scenarios() {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios")) {
    if (entry.path().extension() == ".yaml") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

/// What `llmsim run --report --trace` writes besides the summary: timeseries.csv and the trace.
struct ObservedOutputs {
  std::string summary;
  std::string time_series;
  std::string trace;
};

ObservedOutputs run_observed(const Scenario& scenario, bool step_by_step) {
  llmsim::sim::TimeSeriesRecorder series(
      static_cast<std::int32_t>(std::max<std::int64_t>(1, llmsim::sim::gpu_set_count(scenario.pools))));
  llmsim::sim::TraceWriter trace(scenario, llmsim::sim::TraceOptions{});
  llmsim::sim::SimulatorHooks hooks;
  hooks.step_by_step = step_by_step;
  hooks.observers = {&series, &trace};
  llmsim::sim::Simulator simulator(scenario, std::move(hooks));
  const llmsim::sim::RunResult result = simulator.run();
  return {llmsim::sim::summary_json_text(result), series.csv_text(), trace.json_text(result)};
}

/// Overrides that cap a scenario's size: requests, trace rows or test-time-compute problems.
std::vector<Override> capped(const fs::path& path) {
  const Scenario full = llmsim::loader::load_scenario(path.string());
  const llmsim::workloads::WorkloadSpec& w = full.workload;
  if (w.kind == llmsim::workloads::WorkloadKind::trace) {
    if (w.trace && (w.trace->max_rows == 0 || w.trace->max_rows > 400)) {
      return {{"workload.trace.max_rows", "400"}};
    }
    return {};
  }
  if (w.kind == llmsim::workloads::WorkloadKind::sessions) {
    return {{"workload.sessions.num_sessions", "60"}};  // synthetic session scenarios
  }
  if (llmsim::workloads::is_test_time_compute(w.kind)) {
    return w.num_requests > 3 ? std::vector<Override>{{"workload.num_problems", "3"}}
                              : std::vector<Override>{};
  }
  return w.num_requests > 1500 ? std::vector<Override>{{"workload.num_requests", "1500"}}
                               : std::vector<Override>{};
}

/// bench-100k cut to 2,000 requests and stopped at 60.5 s of simulated time, with requests
/// still unfinished.
Scenario stopped_early_scenario() {
  const fs::path path = fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios" / "bench-100k.yaml";
  return llmsim::loader::load_scenario(path.string(),
                                       {{"workload.num_requests", "2000"}, {"limits.max_sim_time_s", "60.5"}});
}

}  // namespace

TEST_CASE("every shipped scenario gives the same summary and requests file fast and step by step") {
  const std::vector<fs::path> paths = shipped_scenarios();
  REQUIRE(paths.size() >= 9);  // the scenarios of issue 6 and before, at least
  for (const fs::path& path : paths) {
    CAPTURE(path.filename().string());
    const Scenario scenario = llmsim::loader::load_scenario(path.string(), capped(path));
    const Outputs fast = run(scenario, /*step_by_step=*/false);
    const Outputs reference = run(scenario, /*step_by_step=*/true);
    CHECK(fast.summary == reference.summary);
    CHECK(fast.requests == reference.requests);
  }
}

TEST_CASE("a run stopped by max_sim_time_s leaves the same unfinished requests fast and step by step") {
  const Scenario scenario = stopped_early_scenario();
  const Outputs fast = run(scenario, false);
  const Outputs reference = run(scenario, true);
  CHECK(fast.summary.find("\"stopped_early\": \"max_sim_time_s\"") != std::string::npos);
  CHECK(fast.summary == reference.summary);
  CHECK(fast.requests == reference.requests);
}

TEST_CASE("replicas of a closed loop run ahead only as far as the next event of any kind") {
  // Completions release the next requests of their clients to any replica: the conservative
  // horizon. Three replicas in lockstep-prone conditions (fixed lengths, least loaded).
  const fs::path path = fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios" / "closed-loop.yaml";
  const Scenario scenario = llmsim::loader::load_scenario(
      path.string(), {{"workload.num_requests", "600"},
                      {"deployment", "{tensor_parallel: 1, replicas: 3, router: least_loaded}"},
                      {"workload.input_tokens", "{dist: fixed, value: 700}"},
                      {"workload.output_tokens", "{dist: fixed, value: 120}"}});
  const Outputs fast = run(scenario, false);
  const Outputs reference = run(scenario, true);
  CHECK(fast.summary == reference.summary);
  CHECK(fast.requests == reference.requests);
}

TEST_CASE("preemptions and a full prefix cache give the same results fast and step by step") {
  // Few KV blocks: requests are preempted and recomputed; shared prefixes fill the cache.
  const fs::path path = fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios" / "overload.yaml";
  const Scenario scenario =
      llmsim::loader::load_scenario(path.string(), {{"workload.num_requests", "800"},
                                                    {"engine.gpu_memory_utilization", "0.3"},
                                                    {"workload.shared_prefix_tokens", "600"}});
  const Outputs fast = run(scenario, false);
  const Outputs reference = run(scenario, true);
  CHECK(fast.summary.find("\"preemptions\": 0,") == std::string::npos);
  CHECK(fast.summary == reference.summary);
  CHECK(fast.requests == reference.requests);
}

TEST_CASE("folding requests into the summary as they finish gives the same summary as keeping them") {
  const fs::path path = fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios" / "router-8-replicas.yaml";
  const Scenario scenario = llmsim::loader::load_scenario(path.string(), {{"workload.num_requests", "3000"}});
  const Outputs kept = run(scenario, false, /*keep_records=*/true);
  const Outputs folded = run(scenario, false, /*keep_records=*/false);
  CHECK(folded.summary == kept.summary);
  CHECK(folded.requests.find('\n') == folded.requests.size() - 1);  // the header only
}

TEST_CASE("requests streamed to a sink as they finish give the same requests file as kept records") {
  for (const fs::path& path : shipped_scenarios()) {
    CAPTURE(path.filename().string());
    const Scenario scenario = llmsim::loader::load_scenario(path.string(), capped(path));
    if (llmsim::workloads::is_test_time_compute(scenario.workload.kind)) {
      // The sink is declined: the results need every record, and requests.csv comes from them.
      llmsim::sim::SimulatorHooks hooks;
      hooks.request_sink = [](const llmsim::sim::RequestRecord&) {};
      CHECK_FALSE(llmsim::sim::Simulator(scenario, std::move(hooks)).streams_requests());
      continue;
    }
    const Outputs kept = run(scenario, /*step_by_step=*/false);
    const Outputs streamed = run_streamed(scenario);
    CHECK(streamed.summary == kept.summary);
    CHECK(streamed.requests == kept.requests);
  }
}

TEST_CASE("a run stopped early streams its unfinished requests in arrival order at the end") {
  const Scenario scenario = stopped_early_scenario();
  const Outputs kept = run(scenario, false);
  const Outputs streamed = run_streamed(scenario);
  CHECK(kept.requests.find(",unfinished,") != std::string::npos);
  CHECK(streamed.summary == kept.summary);
  CHECK(streamed.requests == kept.requests);
}

TEST_CASE("a closed loop with several replicas streams the same requests file as kept records") {
  // Requests finish out of arrival order across replicas: rows wait for earlier arrivals.
  const fs::path path = fs::path(LLMSIM_SOURCE_DIR) / "configs" / "scenarios" / "closed-loop.yaml";
  const Scenario scenario = llmsim::loader::load_scenario(
      path.string(), {{"workload.num_requests", "600"},
                      {"deployment", "{tensor_parallel: 1, replicas: 3, router: least_loaded}"}});
  const Outputs kept = run(scenario, false);
  const Outputs streamed = run_streamed(scenario);
  CHECK(streamed.summary == kept.summary);
  CHECK(streamed.requests == kept.requests);
}

TEST_CASE("report and trace observers see the same iterations fast and step by step") {
  // Every shipped scenario: those with a test-time-compute recorder (which reads every
  // sequence) run step by step either way; the others run ahead, stopping at every event of
  // any replica, and report each iteration they apply ahead.
  for (const fs::path& path : shipped_scenarios()) {
    CAPTURE(path.filename().string());
    const Scenario scenario = llmsim::loader::load_scenario(path.string(), capped(path));
    const ObservedOutputs fast = run_observed(scenario, /*step_by_step=*/false);
    const ObservedOutputs reference = run_observed(scenario, /*step_by_step=*/true);
    CHECK(fast.summary == reference.summary);
    CHECK(fast.time_series == reference.time_series);
    CHECK(fast.trace == reference.trace);
  }
}
