// bench_scenarios: how fast whole scenarios simulate, as a table and as JSON, so that a
// regression shows up as a number (DESIGN.md section 4; issue 6).
//
//   bench_scenarios [--set key.path=value]... [--max-requests N] [--no-requests-csv]
//                   [--step-by-step] [--repeat K] [--json FILE] SCENARIO.yaml...
//
// Each run is one child process (fork), so that its peak RSS (wait4) is its own. A run
// times what `llmsim run --quiet` does bar the disk: load the scenario, simulate, format
// summary.json and (unless --no-requests-csv) requests.csv. --max-requests caps synthetic
// requests, trace rows or test-time-compute problems; --repeat keeps the fastest of K runs.
// Timings depend on the machine and its load; nothing here asserts them.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loader/scenario_loader.h"
#include "sim/metrics/requests_csv.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/simulator.h"

namespace {

using llmsim::loader::Override;

struct Options {
  std::vector<Override> overrides;
  std::int64_t max_requests = 0;  ///< 0: as the scenario says
  bool requests_csv = true;
  bool step_by_step = false;
  int repeat = 1;
  std::string json_path;
  std::vector<std::string> scenarios;
};

/// What a child reports through its pipe.
struct Measured {
  std::int64_t requests = 0;    ///< completed + rejected
  std::int64_t iterations = 0;  ///< replica iterations
  double wall_s = 0.0;
  int ok = 0;
};

struct Row {
  std::string scenario;
  Measured measured;
  double peak_rss_mb = 0.0;
};

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr,
               "bench_scenarios: %s\nusage: bench_scenarios [--set key.path=value]... [--max-requests N] "
               "[--no-requests-csv] [--step-by-step] [--repeat K] [--json FILE] SCENARIO.yaml...\n",
               error.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--set") {
      o.overrides.push_back(llmsim::loader::parse_override(value()));
    } else if (arg == "--max-requests") {
      o.max_requests = std::stoll(value());
    } else if (arg == "--no-requests-csv") {
      o.requests_csv = false;
    } else if (arg == "--step-by-step") {
      o.step_by_step = true;
    } else if (arg == "--repeat") {
      o.repeat = std::max(1, std::stoi(value()));
    } else if (arg == "--json") {
      o.json_path = value();
    } else if (!arg.empty() && arg[0] == '-') {
      usage("unknown option " + arg);
    } else {
      o.scenarios.push_back(arg);
    }
  }
  if (o.scenarios.empty()) usage("no scenario given");
  return o;
}

/// The overrides of `options` plus the --max-requests cap that fits the workload's kind.
std::vector<Override> overrides_for(const Options& options, const std::string& path) {
  std::vector<Override> overrides = options.overrides;
  if (options.max_requests <= 0) return overrides;
  const llmsim::sim::Scenario scenario = llmsim::loader::load_scenario(path, overrides);
  const llmsim::workloads::WorkloadSpec& w = scenario.workload;
  const std::string cap = std::to_string(options.max_requests);
  if (w.kind == llmsim::workloads::WorkloadKind::trace) {
    if (w.trace && (w.trace->max_rows == 0 || w.trace->max_rows > options.max_requests)) {
      overrides.push_back({"workload.trace.max_rows", cap});
    }
  } else if (w.num_requests > options.max_requests) {
    overrides.push_back(
        {llmsim::workloads::is_test_time_compute(w.kind) ? "workload.num_problems" : "workload.num_requests",
         cap});
  }
  return overrides;
}

/// Runs in the child: simulate and format, report through `fd`.
void child_run(const Options& options, const std::string& path, int fd) {
  Measured m;
  try {
    const auto start = std::chrono::steady_clock::now();
    const llmsim::sim::Scenario scenario = llmsim::loader::load_scenario(path, overrides_for(options, path));
    llmsim::sim::SimulatorHooks hooks;
    hooks.step_by_step = options.step_by_step;
    hooks.keep_request_records = options.requests_csv;
    // As `llmsim run` does: requests.csv rows formatted as requests finish (test-time
    // compute keeps every record instead); the bytes are counted, not kept.
    std::size_t csv_bytes = 0;
    llmsim::sim::RequestsCsvFormatter csv(llmsim::sim::pool_names(scenario),
                                          [&csv_bytes](std::string_view chunk) { csv_bytes += chunk.size(); });
    if (options.requests_csv) {
      hooks.request_sink = [&csv](const llmsim::sim::RequestRecord& record) { csv.add(record); };
    }
    llmsim::sim::Simulator simulator(scenario, std::move(hooks));
    const llmsim::sim::RunResult result = simulator.run();
    std::string text = llmsim::sim::summary_json_text(result);
    if (options.requests_csv) {
      if (result.requests.empty()) {
        csv.flush();
      } else {
        csv_bytes += llmsim::sim::requests_csv_text(result).size();
      }
    }
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    m.requests =
        result.summary.at("completed").get<std::int64_t>() + result.summary.at("failed").get<std::int64_t>();
    m.iterations = result.summary.at("batching").at("iterations").get<std::int64_t>();
    m.wall_s = wall.count();
    m.ok = text.empty() || (options.requests_csv && csv_bytes == 0) ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_scenarios: %s: %s\n", path.c_str(), e.what());
  }
  const ssize_t written = write(fd, &m, sizeof m);
  _exit(written == static_cast<ssize_t>(sizeof m) && m.ok == 1 ? 0 : 1);
}

/// One run in a child process; false when it failed.
bool measure(const Options& options, const std::string& path, Row& row) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    child_run(options, path, fds[1]);
  }
  close(fds[1]);
  Measured m;
  const ssize_t got = read(fds[0], &m, sizeof m);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return false;
  if (got != static_cast<ssize_t>(sizeof m) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return false;
  row.measured = m;
  row.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  return true;
}

double per_s(double count, double seconds) { return seconds > 0.0 ? count / seconds : 0.0; }

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  std::vector<Row> rows;
  bool failed = false;
  for (const std::string& path : options.scenarios) {
    Row best;
    best.scenario = path;
    bool any = false;
    for (int k = 0; k < options.repeat; ++k) {
      Row row;
      if (!measure(options, path, row)) {
        failed = true;
        break;
      }
      if (!any || row.measured.wall_s < best.measured.wall_s) {
        best.measured = row.measured;
        best.peak_rss_mb = row.peak_rss_mb;
      }
      best.peak_rss_mb = std::max(best.peak_rss_mb, row.peak_rss_mb);
      any = true;
    }
    if (any) rows.push_back(best);
  }

  std::printf("%-44s %10s %11s %9s %10s %12s %13s %9s\n", "scenario", "requests", "iterations", "wall_s",
              "us/request", "requests/s", "iterations/s", "rss_MB");
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const Row& r : rows) {
    const Measured& m = r.measured;
    const double us_per_request = m.requests > 0 ? m.wall_s * 1e6 / static_cast<double>(m.requests) : 0.0;
    std::printf("%-44s %10lld %11lld %9.3f %10.2f %12.0f %13.0f %9.1f\n", r.scenario.c_str(),
                static_cast<long long>(m.requests), static_cast<long long>(m.iterations), m.wall_s,
                us_per_request, per_s(static_cast<double>(m.requests), m.wall_s),
                per_s(static_cast<double>(m.iterations), m.wall_s), r.peak_rss_mb);
    nlohmann::ordered_json j;
    j["scenario"] = r.scenario;
    j["requests"] = m.requests;
    j["iterations"] = m.iterations;
    j["wall_s"] = m.wall_s;
    j["us_per_request"] = us_per_request;
    j["requests_per_s"] = per_s(static_cast<double>(m.requests), m.wall_s);
    j["iterations_per_s"] = per_s(static_cast<double>(m.iterations), m.wall_s);
    j["peak_rss_mb"] = r.peak_rss_mb;
    json.push_back(std::move(j));
  }
  const std::string text = json.dump(2) + "\n";
  if (options.json_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    std::ofstream(options.json_path) << text;
  }
  if (failed) std::fprintf(stderr, "bench_scenarios: a run failed\n");
  return failed ? 1 : 0;
}
