#include "analysis/run_report.h"

#include <filesystem>
#include <fmt/format.h>

#include "analysis/report_inputs.h"
#include "analysis/text_files.h"

namespace llmsim::analysis {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr std::size_t kCdfPoints = 400;

std::string value_text(const Json& summary, const std::string& path, const std::string& unit = "") {
  const std::optional<double> value = json_number(summary, path);
  return value ? short_number(*value) + unit : "-";
}

void add_summary_table(ReportPage& page, const Json& s) {
  const Json& scenario = s.contains("scenario") ? s.at("scenario") : Json::object();
  const auto text = [&](const char* key) {
    return scenario.contains(key) ? (scenario.at(key).is_string() ? scenario.at(key).get<std::string>()
                                                                  : scenario.at(key).dump())
                                  : std::string("-");
  };
  page.key_values({
      {"model", text("model")},
      {"hardware x tensor parallel x replicas",
       text("hardware") + " x " + text("tensor_parallel") + " x " + text("replicas")},
      {"requests completed / rejected", value_text(s, "completed") + " / " + value_text(s, "failed")},
      {"duration (s)", value_text(s, "duration")},
      {"request throughput (req/s)", value_text(s, "request_throughput")},
      {"output throughput (tok/s)", value_text(s, "output_throughput")},
      {"TTFT mean / median / p99 (ms)", value_text(s, "mean_ttft_ms") + " / " + value_text(s, "median_ttft_ms") +
                                            " / " + value_text(s, "p99_ttft_ms")},
      {"TPOT mean / median / p99 (ms)", value_text(s, "mean_tpot_ms") + " / " + value_text(s, "median_tpot_ms") +
                                            " / " + value_text(s, "p99_tpot_ms")},
      {"E2E mean / median / p99 (ms)", value_text(s, "mean_e2el_ms") + " / " + value_text(s, "median_e2el_ms") +
                                           " / " + value_text(s, "p99_e2el_ms")},
      {"SLO attainment / goodput (req/s)",
       value_text(s, "goodput.slo_attainment") + " / " + value_text(s, "goodput.goodput_requests_per_s")},
      {"compute-bound / memory-bound iterations",
       value_text(s, "utilization.compute_bound_iteration_share") + " / " +
           value_text(s, "utilization.memory_bound_iteration_share")},
      {"mean MFU / HBM bandwidth utilisation",
       value_text(s, "utilization.mean_mfu") + " / " + value_text(s, "utilization.mean_hbm_bandwidth_utilization")},
      {"KV-cache usage mean / max", value_text(s, "utilization.kv_cache_usage_mean") + " / " +
                                        value_text(s, "utilization.kv_cache_usage_max")},
      {"preemptions", value_text(s, "preemptions")},
  });
}

void add_cdfs(ReportPage& page, const Json& summary, const std::string& path) {
  const struct {
    const char* column;
    const char* id;
    const char* name;
    const char* slo;
  } metrics[] = {{"ttft_ms", "ttft-cdf", "TTFT", "goodput.slo.ttft_ms"},
                 {"tpot_ms", "tpot-cdf", "TPOT", "goodput.slo.tpot_ms"},
                 {"e2el_ms", "e2el-cdf", "E2E latency", "goodput.slo.e2el_ms"}};
  std::vector<std::string> names;
  for (const auto& m : metrics) names.emplace_back(m.column);
  // Only these columns are read: requests.csv has a row per request and ~20 columns.
  const std::vector<std::vector<double>> columns = csv_number_columns(read_text_file(path), path, names);
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& m = metrics[k];
    LineChart chart;
    chart.id = m.id;
    chart.title = std::string(m.name) + " CDF (completed requests)";
    chart.x_label = std::string(m.name) + " (ms)";
    chart.y_label = "share of requests";
    chart.series.push_back(ChartSeries{m.name, cdf_points(columns[k], kCdfPoints)});
    if (const std::optional<double> slo = json_number(summary, m.slo)) {
      chart.lines.push_back(ReferenceLine{true, *slo, "SLO " + short_number(*slo) + " ms"});
    }
    page.chart(chart);
  }
}

void add_time_series(ReportPage& page, const std::string& path) {
  const CsvTable table = parse_csv_table(read_text_file(path), path);
  const std::vector<double> start = csv_numbers(table, "t_start_s", path);
  const std::vector<double> end = csv_numbers(table, "t_end_s", path);
  const auto series = [&](const std::string& name, const std::string& column, double factor) {
    const std::vector<double> values = csv_numbers(table, column, path);
    ChartSeries s{name, {}};
    for (std::size_t i = 0; i < values.size() && i < start.size() && i < end.size(); ++i) {
      s.points.emplace_back(0.5 * (start[i] + end[i]), factor * values[i]);
    }
    return s;
  };
  const auto chart = [&](const char* id, const char* title, const char* y_label, std::vector<ChartSeries> s) {
    LineChart c;
    c.id = id;
    c.title = title;
    c.x_label = "simulated time (s)";
    c.y_label = y_label;
    c.series = std::move(s);
    page.chart(c);
  };
  chart("output-throughput", "Output throughput over time", "tokens/s",
        {series("output tokens/s", "output_tokens_per_s", 1.0)});
  chart("request-throughput", "Completed requests over time", "requests/s",
        {series("completed/s", "requests_completed_per_s", 1.0)});
  chart("queue-length", "Waiting requests over time", "requests",
        {series("mean", "waiting_mean", 1.0), series("max", "waiting_max", 1.0)});
  chart("batch-size", "Batch size over time", "sequences per iteration",
        {series("mean batch size", "mean_batch_size", 1.0)});
  chart("kv-usage", "KV-cache usage over time", "% of blocks",
        {series("mean", "kv_usage_mean", 100.0), series("max", "kv_usage_max", 100.0)});
  chart("bound-share", "Busy time and compute-bound share over time", "%",
        {series("busy (% of replica time)", "busy_share", 100.0),
         series("compute-bound (% of busy time)", "compute_bound_share", 100.0)});
}

}  // namespace

void add_run_report(ReportPage& page, const std::string& dir) {
  const Json summary = read_json_file((fs::path(dir) / "summary.json").string());
  const Json scenario = summary.value("scenario", Json::object());
  page.set_title("llmsim run: " + scenario.value("model", std::string("?")) + " on " +
                 scenario.value("hardware", std::string("?")));
  page.heading("Summary");
  add_summary_table(page, summary);

  page.heading("Latency");
  const std::string requests = (fs::path(dir) / "requests.csv").string();
  if (path_exists(requests)) {
    add_cdfs(page, summary, requests);
  } else {
    page.paragraph("No requests.csv in " + dir + ": no latency CDFs.");
  }

  page.heading("Over time");
  const std::string series = (fs::path(dir) / "timeseries.csv").string();
  if (path_exists(series)) {
    page.paragraph("Per interval of simulated time, over all replicas: means are over the iterations that ended in the "
                   "interval; busy share is iteration time / (interval x replicas); compute-bound share is the share "
                   "of busy time spent in compute-bound iterations.");
    add_time_series(page, series);
  } else {
    page.paragraph("No timeseries.csv in " + dir + ": run `llmsim run ... --report` to record time series.");
  }
}

}  // namespace llmsim::analysis
