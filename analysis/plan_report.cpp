#include "analysis/plan_report.h"

#include <algorithm>
#include <filesystem>

#include "analysis/json_leaves.h"
#include "analysis/report_inputs.h"
#include "core/input_error.h"

namespace llmsim::analysis {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

/// An option's name: a disaggregated plan's unit ("2P1D", "aggregated 3 x TP4"), else
/// hardware and tensor parallel.
std::string option_name(const Json& option) {
  if (option.contains("unit")) return scalar_text(option.at("unit"));
  return scalar_text(option.at("hardware")) + " tp=" + option.at("tensor_parallel").dump();
}

std::string cell(const Json& row, const char* key) {
  if (!row.contains(key) || row.at(key).is_null()) return "-";
  if (row.at(key).is_number()) return short_number(row.at(key).get<double>());
  return scalar_text(row.at(key));
}

}  // namespace

void add_plan_report(ReportPage& page, const std::string& dir) {
  const std::string path = (fs::path(dir) / "plan.json").string();
  const Json plan = read_json_file(path);
  if (!plan.contains("options") || !plan.at("options").is_array() || !plan.contains("slo") ||
      !plan.contains("slo_summary_fields")) {
    throw core::InputError(path, 0, "", "not a plan.json (needs options, slo and slo_summary_fields)");
  }
  page.set_title("llmsim plan: " + scalar_text(plan.value("scenario", Json(""))));
  page.heading("Capacity plan");
  page.paragraph("Scenario " + scalar_text(plan.value("scenario", Json(""))) + ", " +
                 scalar_text(plan.value("requests_per_point", Json(0))) + " requests per run. A run passes when " +
                 scalar_text(plan.value("pass_rule", Json(""))) + ".");
  const bool units = !plan.at("options").empty() && plan.at("options").front().contains("unit");
  int chart_index = 0;
  for (auto it = plan.at("slo").begin(); it != plan.at("slo").end(); ++it) {
    const std::string field = plan.at("slo_summary_fields").value(it.key(), std::string());
    LineChart c;
    c.id = "plan-" + std::to_string(chart_index++);
    c.title = field + " vs offered rate, " + (units ? "one unit" : "one replica");
    c.x_label = "offered rate (requests/s)";
    c.y_label = field;
    for (const Json& option : plan.at("options")) {
      ChartSeries s{option_name(option), {}};
      for (const Json& e : option.value("evaluations", Json::array())) {
        const Json& latency = e.at("latency");
        if (latency.contains(field) && latency.at(field).is_number()) {
          s.points.emplace_back(e.at("rate_per_s").get<double>(), latency.at(field).get<double>());
        }
      }
      std::sort(s.points.begin(), s.points.end());
      c.series.push_back(std::move(s));
    }
    if (it.value().is_number()) {
      c.lines.push_back(ReferenceLine{false, it.value().get<double>(), "SLO " + short_number(it.value().get<double>())});
    }
    page.chart(c);
  }
  std::vector<std::vector<std::string>> rows;
  int rank = 0;
  for (const Json& o : plan.at("options")) {
    if (units) {
      rows.push_back({std::to_string(++rank), cell(o, "unit"), cell(o, "gpus_per_unit"), cell(o, "max_rate_per_s"),
                      cell(o, "requests_per_s_per_gpu"), cell(o, "usd_per_million_output_tokens"),
                      cell(o, "joules_per_output_token"), cell(o, "units_for_target"), cell(o, "gpus_for_target"),
                      cell(o, "usd_per_hour_for_target"), cell(o, "status")});
    } else {
      rows.push_back({std::to_string(++rank), cell(o, "hardware"), cell(o, "tensor_parallel"),
                      cell(o, "max_rate_per_s"), cell(o, "usd_per_million_output_tokens"),
                      cell(o, "joules_per_output_token"), cell(o, "replicas_for_target"), cell(o, "gpus_for_target"),
                      cell(o, "usd_per_hour_for_target"), cell(o, "status")});
    }
  }
  if (units) {
    page.table({"rank", "unit", "GPUs per unit", "max req/s", "req/s per GPU", "$/M output tokens", "J/output token",
                "units", "GPUs", "fleet $/h", "status"},
               rows);
  } else {
    page.table({"rank", "hardware", "tp", "max req/s", "$/M output tokens", "J/output token", "replicas", "GPUs",
                "fleet $/h", "status"},
               rows);
  }
}

}  // namespace llmsim::analysis
