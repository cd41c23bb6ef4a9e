// `llmsim run` prints what it simulated above the summary, on stdout only (issue 26): the
// header and the wall time never reach summary.json, and --quiet still prints nothing.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "loader/scenario_loader.h"
#include "sim/metrics/run_header.h"
#include "tests/cli/run_llmsim.h"

namespace {

using llmsim::testing::LlmsimOutcome;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;

std::string temp_out(const std::string& name) { return llmsim::testing::fresh_temp_dir("header-" + name); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// The value of the header's "Engine:" line with its continuation lines (indented to the
/// value's column, 11) joined by spaces; "" when there is no such line.
std::string engine_text(const std::string& out) {
  const std::string label = "\nEngine:    ";
  std::size_t at = out.find(label);
  if (at == std::string::npos) return "";
  at += label.size();
  std::size_t end = out.find('\n', at);
  std::string text = out.substr(at, end - at);
  std::string continuation(1, '\n');
  continuation.append(11, ' ');
  while (out.compare(end, continuation.size(), continuation) == 0) {
    at = end + continuation.size();
    end = out.find('\n', at);
    text += ' ';
    text.append(out, at, end - at);
  }
  return text;
}

}  // namespace

TEST_CASE("run prints the header above the table and keeps it and the wall time out of summary.json") {
  const std::string scenario_file = "configs/scenarios/overload.yaml";
  const std::string loud_dir = temp_out("loud");
  const std::string quiet_dir = temp_out("quiet");
  const LlmsimOutcome loud =
      run_llmsim("run " + scenario_file + " --set workload.num_requests=200 --out " + loud_dir);
  REQUIRE(loud.exit_code == 0);
  const LlmsimOutcome quiet =
      run_llmsim("run " + scenario_file + " --set workload.num_requests=200 --quiet --out " + quiet_dir);
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.output.empty());

  // What the header must say, read from the scenario as the loader sees it (run from the
  // source folder, as run_llmsim does).
  const auto scenario = llmsim::loader::load_scenario(
      std::string(LLMSIM_SOURCE_DIR) + "/" + scenario_file, {llmsim::loader::parse_override("workload.num_requests=200")});
  REQUIRE(scenario.pools.size() == 1);
  const auto& pool = scenario.pools.front();
  const std::string& out = loud.output;
  CHECK(has(out, "=============== What was simulated ================\n"
                 "Scenario:  configs/scenarios/overload.yaml\n"
                 "  --set    workload.num_requests=200\n"));
  CHECK(has(out, "\nModel:     " + pool.model.id + " (weights " + std::string(llmsim::core::to_string(pool.precision.weights)) +
                     ", KV cache " + std::string(llmsim::core::to_string(pool.precision.kv_cache)) + ")\n"));
  CHECK(has(out, "\nHardware:  " + pool.hardware.id + " x TP 1 x 1 replica\n"));
  CHECK(engine_text(out) == llmsim::sim::engine_label(pool.engine));
  REQUIRE(scenario.workload.arrival.process == llmsim::workloads::ArrivalProcess::poisson);
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", scenario.workload.arrival.rate_per_s);
  CHECK(has(out, "\nWorkload:  200 requests, poisson arrivals at " + std::string(rate) + " req/s\n"));
  CHECK(has(out, "\nSeed:      " + std::to_string(scenario.seed) + "\n"));
  CHECK(out.find("What was simulated") < out.find("Serving Benchmark Result"));
  CHECK(has(out, "\nBenchmark duration, simulated (s):       "));
  CHECK(has(out, "\nWall time of this run (s):               "));

  // summary.json: the same bytes with and without the printout, and nothing of the header.
  const std::string summary = read_whole_file(loud_dir + "/summary.json");
  REQUIRE(summary.size() > 1000);
  CHECK(summary == read_whole_file(quiet_dir + "/summary.json"));
  CHECK(read_whole_file(loud_dir + "/requests.csv") == read_whole_file(quiet_dir + "/requests.csv"));
  CHECK_FALSE(has(summary, "wall"));
  CHECK_FALSE(has(summary, "overload.yaml"));
}
