// End-to-end: `llmsim run` on a test-time-compute scenario writes samples.csv, the
// compute/* keys and, with --dump-dag, a Graphviz DAG.
#include <doctest/doctest.h>

#include "tests/cli/run_llmsim.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using Outcome = llmsim::testing::LlmsimOutcome;
using llmsim::testing::run_llmsim;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::filesystem::path out_folder(const std::string& name) {
  return llmsim::testing::process_temp_folder() / ("ttc-cli-" + name);
}

}  // namespace

TEST_CASE("run on a beam search scenario writes samples.csv, compute keys and the DAG") {
  const auto out = out_folder("beam");
  const auto dag = out / "dag.dot";
  std::filesystem::create_directories(out);
  const Outcome result = run_llmsim(
      "run configs/scenarios/beam-search-thinking.yaml --quiet --set workload.num_problems=4 --out '" +
      out.string() + "' --dump-dag '" + dag.string() + "' --dump-dag-problem 2 --params total");
  REQUIRE(result.exit_code == 0);
  const auto summary = nlohmann::json::parse(read_text(out / "summary.json"));
  for (const char* key : {"compute/total_tokens", "compute/total_input_tokens", "compute/total_output_tokens",
                          "compute/total_tflops", "compute/avg_tokens_per_sample", "compute/avg_tflops_per_sample",
                          "compute/prm_input_tokens", "compute/prm_tflops"}) {
    CAPTURE(key);
    CHECK(summary.contains(key));
  }
  CHECK(summary["test_time_compute"]["param_basis"] == "total");
  CHECK(summary["test_time_compute"]["problems"]["completed"] == 4);
  const std::string csv = read_text(out / "samples.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);  // header + 4 problems
  const std::string dot = read_text(dag);
  CHECK(dot.rfind("digraph", 0) == 0);
  CHECK(dot.find("label=\"problem 2\"") != std::string::npos);
  std::filesystem::remove_all(out);
}

TEST_CASE("--dump-dag on a workload without programs exits 2") {
  const Outcome result = run_llmsim(
      "run configs/scenarios/quickstart.yaml --quiet --set workload.trace.max_rows=5 --out '" +
      out_folder("plain").string() + "' --dump-dag /tmp/never.dot");
  CHECK(result.exit_code == 2);
  CHECK(result.output.find("--dump-dag: applies to test-time-compute workloads only") != std::string::npos);
}
