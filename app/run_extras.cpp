#include "app/run_extras.h"

#include <cmath>
#include <filesystem>

#include "analysis/html_report.h"
#include "analysis/text_files.h"
#include "core/input_error.h"
#include "sim/cluster/gpu_sets.h"

namespace llmsim::app {

void RunExtras::add_options(CLI::App& command, RunExtrasOptions& options) {
  command.add_flag("--report", options.report,
                   "also write DIR/timeseries.csv and a self-contained HTML report DIR/report.html");
  command.add_option("--trace", options.trace_file,
                     "write a Chrome/Perfetto trace (JSON) of iterations per replica and request lifetimes to FILE");
  command.add_option("--trace-start-s", options.trace_start_s, "trace window start, simulated seconds")
      ->capture_default_str();
  command.add_option("--trace-end-s", options.trace_end_s, "trace window end, simulated seconds")
      ->capture_default_str();
  command.add_option("--trace-max-events", options.trace_max_events,
                     "at most this many iteration events, and as many request events, in the trace")
      ->capture_default_str();
}

RunExtras::RunExtras(const RunExtrasOptions& options, const sim::Scenario& scenario) : options_(options) {
  if (options_.report) {
    // Busy share per GPU set: co-located pools' replicas take turns on one.
    const auto gpu_sets = static_cast<std::int32_t>(sim::gpu_set_count(scenario.pools));
    series_ = std::make_unique<sim::TimeSeriesRecorder>(std::max(1, gpu_sets));
  }
  if (!options_.trace_file.empty()) {
    if (!(options_.trace_start_s >= 0.0) || !std::isfinite(options_.trace_start_s)) {
      throw core::InputError("--trace-start-s: expected a number >= 0");
    }
    if (!(options_.trace_end_s > options_.trace_start_s) || !std::isfinite(options_.trace_end_s)) {
      throw core::InputError("--trace-end-s: expected a number > --trace-start-s");
    }
    if (options_.trace_max_events < 0) throw core::InputError("--trace-max-events: expected an integer >= 0");
    sim::TraceOptions trace;
    trace.start_ns = static_cast<workloads::TimeNs>(std::llround(options_.trace_start_s * 1e9));
    trace.end_ns = static_cast<workloads::TimeNs>(std::llround(options_.trace_end_s * 1e9));
    trace.max_events = options_.trace_max_events;
    trace_ = std::make_unique<sim::TraceWriter>(scenario, trace);
  }
}

std::vector<sim::IterationObserver*> RunExtras::observers() const {
  std::vector<sim::IterationObserver*> out;
  if (series_) out.push_back(series_.get());
  if (trace_) out.push_back(trace_.get());
  return out;
}

std::vector<std::string> RunExtras::write(const sim::RunResult& result, const std::string& out_dir,
                                          const std::string& trace_path) const {
  namespace fs = std::filesystem;
  std::vector<std::string> written;
  if (series_) {
    const std::string series = (fs::path(out_dir) / "timeseries.csv").string();
    analysis::write_text_file(series, series_->csv_text());
    const std::string report = (fs::path(out_dir) / "report.html").string();
    analysis::write_text_file(report, analysis::html_report_for_folder(out_dir));
    written.push_back(series);
    written.push_back(report);
  }
  if (trace_) {
    analysis::write_text_file(trace_path, trace_->json_text(result));
    written.push_back(trace_path);
  }
  return written;
}

}  // namespace llmsim::app
