// `llmsim run SCENARIO.yaml`: simulate, print a summary table, write DIR/summary.json and
// DIR/requests.csv (DESIGN.md section 5); test-time-compute workloads also write
// DIR/samples.csv (one row per problem) and, with --dump-dag, one problem's call DAG.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/result_folder.h"
#include "app/run_extras.h"
#include "core/input_error.h"
#include "core/param_basis.h"
#include "loader/scenario_loader.h"
#include "sim/metrics/requests_csv.h"
#include "sim/metrics/result_writer.h"
#include "sim/metrics/run_header.h"
#include "sim/cluster/simulator.h"
#include "sim/metrics/summary_table.h"
#include "sim/metrics/ttc_summary.h"

namespace llmsim::app {
namespace {

struct RunOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string out_dir;  ///< empty: out/<scenario file stem>
  bool quiet = false;
  std::string params;        ///< test-time compute: N of the theoretical FLOPs; empty: the scenario's
  std::string dump_dag;      ///< test-time compute: write this problem's call DAG (Graphviz) here
  std::int64_t dump_dag_problem = 0;
  bool step_by_step = false;     ///< reference mode: one event per iteration (same summary)
  bool no_requests_csv = false;  ///< do not keep per-request records nor write requests.csv
  RunExtrasOptions extras;       ///< --report, --trace
};

/// --params, --dump-dag and --dump-dag-problem apply to test-time-compute workloads only.
void apply_ttc_options(const RunOptions& options, sim::Scenario& scenario) {
  const bool ttc = scenario.workload.ttc.has_value();
  if (!options.params.empty()) {
    if (!ttc) throw core::InputError("--params: applies to test-time-compute workloads only");
    const auto basis = core::parse_param_basis(options.params);
    if (!basis) {
      throw core::InputError("--params: expected one of nominal, non_embedding, total, active, got \"" +
                             options.params + "\"");
    }
    scenario.workload.ttc->params = *basis;
  }
  if (!options.dump_dag.empty() && !ttc) {
    throw core::InputError("--dump-dag: applies to test-time-compute workloads only");
  }
  if (options.dump_dag_problem < 0 || (ttc && options.dump_dag_problem >= scenario.workload.num_requests)) {
    throw core::InputError("--dump-dag-problem: expected an integer in [0, num_problems), got " +
                           std::to_string(options.dump_dag_problem));
  }
  if (ttc) scenario.workload.ttc->dag_problem = options.dump_dag_problem;
}

/// samples.csv next to summary.json, and the --dump-dag file.
void write_ttc_outputs(const RunOptions& options, const sim::RunResult& result, const std::string& out_dir,
                       const std::string& dag_path) {
  if (!result.ttc) return;
  sim::write_samples_csv(*result.ttc, (std::filesystem::path(out_dir) / "samples.csv").string());
  if (options.dump_dag.empty()) return;
  if (result.ttc->dag_graphviz.empty()) {
    throw core::InputError(options.dump_dag, 0, "--dump-dag-problem",
                           "problem " + std::to_string(options.dump_dag_problem) + " never arrived");
  }
  std::ofstream file(dag_path, std::ios::binary | std::ios::trunc);
  file << result.ttc->dag_graphviz;
  if (!file) throw core::InputError(options.dump_dag, 0, "--dump-dag", "cannot write the file");
}

void run_scenario(const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();  // printed only, never in summary.json
  std::vector<loader::Override> overrides;
  for (const auto& text : options.overrides) overrides.push_back(loader::parse_override(text));
  sim::Scenario scenario = loader::load_scenario(options.scenario, overrides);
  apply_ttc_options(options, scenario);

  const std::string out_dir = options.out_dir.empty()
                                  ? (std::filesystem::path("out") / std::filesystem::path(options.scenario).stem()).string()
                                  : options.out_dir;

  const RunExtras extras(options.extras, scenario);
  sim::SimulatorHooks hooks;
  hooks.observers = extras.observers();
  hooks.step_by_step = options.step_by_step;
  hooks.keep_request_records = !options.no_requests_csv;
  // requests.csv is streamed as requests finish (memory does not grow with requests) unless
  // something needs every record at the end: the --trace request lanes, or test-time
  // compute (the simulator then declines the sink: streams_requests()).
  std::unique_ptr<sim::RequestsCsvStream> requests_stream;  // opened once the run can start
  if (!options.no_requests_csv && !extras.needs_request_records()) {
    hooks.request_sink = [&requests_stream](const sim::RequestRecord& record) { requests_stream->add(record); };
  }
  // Progress on stderr only when it is a terminal; the first report comes after enough
  // events that short runs print nothing. Nothing here touches the results.
  bool progress_shown = false;
  if (!options.quiet && ::isatty(STDERR_FILENO) == 1) {
    hooks.progress = [&progress_shown](workloads::TimeNs now_ns) {
      fmt::print(stderr, "\rsimulating... {:.1f} s of simulated time", static_cast<double>(now_ns) * 1e-9);
      std::fflush(stderr);
      progress_shown = true;
    };
  }
  sim::Simulator simulator(scenario, std::move(hooks));
  // The results folder is made only once the simulator has accepted the scenario: bad input
  // leaves nothing behind (tests/malformed). Files go to a private staging folder that
  // commit() puts in place whole (app/result_folder.h).
  ResultFolder folder(out_dir);
  const std::string& staging = folder.staging();
  const std::string requests_path = (std::filesystem::path(staging) / "requests.csv").string();
  if (simulator.streams_requests()) {
    requests_stream = std::make_unique<sim::RequestsCsvStream>(requests_path, sim::pool_names(scenario));
  }
  const sim::RunResult result = simulator.run();
  if (progress_shown) fmt::print(stderr, "\r{:60}\r", "");
  const bool requests_csv = !options.no_requests_csv || result.ttc.has_value();
  sim::write_summary_json(result, (std::filesystem::path(staging) / "summary.json").string());
  if (requests_stream) {
    requests_stream->commit();
  } else if (requests_csv) {
    sim::write_requests_csv(result, requests_path);
  }
  write_ttc_outputs(options, result, staging, folder.staged_path(options.dump_dag));
  const std::vector<std::string> extra_files = extras.write(result, staging, folder.staged_path(options.extras.trace_file));
  folder.commit();
  if (!options.quiet) {
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
    fmt::print("{}", sim::format_run_header(scenario, options.scenario, options.overrides));
    fmt::print("{}", sim::format_summary_table(result, wall.count()));
    if (result.ttc) fmt::print("{}", sim::format_ttc_table(result.summary));
    fmt::print("results: {}/summary.json{}{}\n", out_dir,
               requests_csv ? ", " + out_dir + "/requests.csv" : std::string(),
               result.ttc ? ", " + out_dir + "/samples.csv" : std::string());
    for (const std::string& file : extra_files) fmt::print("         {}\n", folder.final_path(file));
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand("run", "simulate a scenario; print a summary, write summary.json and requests.csv (and samples.csv for test-time compute)");
  command->add_option("scenario", options->scenario, "scenario YAML file")->required();
  command->add_option("--set", options->overrides, "override a scenario key: key.path=value (repeatable)");
  command->add_option("--out", options->out_dir,
                      "results folder (default: out/<scenario name>), replaced as a whole when the run "
                      "ends; a folder holding files llmsim did not write is refused");
  command->add_flag("--quiet", options->quiet, "print nothing on success");
  command->add_option("--params", options->params,
                      "test-time compute: N of the theoretical FLOPs, 2 x N x tokens: nominal (default), "
                      "non_embedding, total or active");
  command->add_option("--dump-dag", options->dump_dag,
                      "test-time compute: write the call DAG of one problem to this file (Graphviz)");
  command->add_option("--dump-dag-problem", options->dump_dag_problem,
                      "test-time compute: which problem --dump-dag writes, in arrival order from 0 (default 0)");
  command->add_flag("--step-by-step", options->step_by_step,
                    "reference mode: simulate one iteration per event instead of running ahead over "
                    "decode stretches (slower; the same summary.json)");
  command->add_flag("--no-requests-csv", options->no_requests_csv,
                    "do not write requests.csv (long runs: about 140 bytes per request). Either way "
                    "finished requests are folded into the summary and their rows written as they "
                    "finish, so memory does not grow with requests (bar --trace and test-time compute)");
  RunExtras::add_options(*command, options->extras);
  command->callback([options] { run_scenario(*options); });
}

}  // namespace llmsim::app
