// The optional outputs of `llmsim run`: --report (DIR/timeseries.csv and DIR/report.html)
// and --trace FILE (a Chrome / Perfetto trace of a window of simulated time).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/cluster/run_result.h"
#include "sim/scenario.h"
#include "sim/metrics/time_series.h"
#include "sim/metrics/trace_writer.h"

namespace llmsim::app {

struct RunExtrasOptions {
  bool report = false;
  std::string trace_file;  ///< empty: no trace
  double trace_start_s = 0.0;
  double trace_end_s = 60.0;
  std::int64_t trace_max_events = 100'000;
};

class RunExtras {
 public:
  /// Registers --report, --trace, --trace-start-s, --trace-end-s and --trace-max-events.
  static void add_options(CLI::App& command, RunExtrasOptions& options);

  /// Throws InputError for a negative or empty trace window or a negative event cap.
  RunExtras(const RunExtrasOptions& options, const sim::Scenario& scenario);

  /// For SimulatorHooks.observers; valid while this object lives.
  std::vector<sim::IterationObserver*> observers() const;
  /// Whether write() needs RunResult.requests (the trace draws a lane per request).
  bool needs_request_records() const { return trace_ != nullptr; }

  /// After summary.json and requests.csv are in out_dir: writes timeseries.csv and
  /// report.html (--report) and the trace (--trace). Returns the paths written.
  /// `trace_path`: where --trace's file goes (the option's path, or its place in the staging
  /// folder when it lies inside the results folder: app/result_folder.h).
  std::vector<std::string> write(const sim::RunResult& result, const std::string& out_dir,
                                 const std::string& trace_path) const;

 private:
  RunExtrasOptions options_;
  std::unique_ptr<sim::TimeSeriesRecorder> series_;
  std::unique_ptr<sim::TraceWriter> trace_;
};

}  // namespace llmsim::app
