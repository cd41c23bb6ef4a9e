#include "analysis/plan_output.h"

#include <fmt/format.h>

#include <algorithm>

#include "analysis/csv_text.h"
#include "analysis/json_leaves.h"

namespace llmsim::analysis {
namespace {

using Json = nlohmann::ordered_json;

bool has_rate(const PlanOption& o) { return o.max_rate_per_s > 0.0; }

std::string num(double value) { return Json(value).dump(); }

std::string money(double value) { return value > 0.0 ? fmt::format("{:.2f}", value) : "-"; }

/// A disaggregated plan's options are units (xPyD and their aggregated baselines), labelled.
bool unit_plan(const std::vector<PlanOption>& plan) {
  return std::any_of(plan.begin(), plan.end(), [](const PlanOption& o) { return o.layout != PlanLayout::replica; });
}

double rate_per_gpu(const PlanOption& o) { return o.max_rate_per_s / o.gpus_per_replica; }

const char* layout_name(PlanLayout layout) {
  switch (layout) {
    case PlanLayout::replica: return "replica";
    case PlanLayout::disaggregated: return "disaggregated";
    case PlanLayout::aggregated: return "aggregated";
  }
  return "";
}

}  // namespace

std::string plan_table_text(const PlanOptions& options, const std::vector<PlanOption>& plan) {
  const bool target = options.target_rate_per_s.has_value();
  const bool units = unit_plan(plan);
  std::string out;
  // The unit column fits the longest label ("2P1D h100-sxm TP4 : h200 TP8"), at least 20 wide.
  std::size_t unit_width = 20;
  for (const PlanOption& o : plan) unit_width = std::max(unit_width, o.label.size());
  if (units) {
    out += fmt::format("{:<4} {:<{}} {:>8} {:>10} {:>9}", "rank", "unit", unit_width, "GPU/unit", "max req/s",
                       "req/s/GPU");
  } else {
    out += fmt::format("{:<4} {:<16} {:>3} {:>7} {:>10}", "rank", "hardware", "tp", "GPU/rep", "max req/s");
  }
  for (const PercentileTarget& t : options.slo) out += fmt::format(" {:>14}", summary_field(t));
  // A unit's $/h column is one wider ("$/h/unit").
  const char* cost_columns = units ? " {:>8} {:>9} {:>7} {:>8}" : " {:>8} {:>9} {:>7} {:>7}";
  out += fmt::format(fmt::runtime(cost_columns), "$/Mtok", "J/token", "W/GPU", units ? "$/h/unit" : "$/h/rep");
  if (target) out += fmt::format(" {:>8} {:>5} {:>9}", units ? "units" : "replicas", "GPUs", "fleet $/h");
  out += "  status\n";
  const std::vector<std::size_t> order = rank_plan(plan, target);
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const PlanOption& o = plan[order[rank]];
    if (units) {
      out += fmt::format("{:<4} {:<{}} {:>8} {:>10} {:>9}", rank + 1, o.label, unit_width, o.gpus_per_replica,
                         has_rate(o) ? fmt::format("{:.3g}", o.max_rate_per_s) : "-",
                         has_rate(o) ? fmt::format("{:.3g}", rate_per_gpu(o)) : "-");
    } else {
      out += fmt::format("{:<4} {:<16} {:>3} {:>7} {:>10}", rank + 1, o.hardware, o.tensor_parallel,
                         o.gpus_per_replica, has_rate(o) ? fmt::format("{:.3g}", o.max_rate_per_s) : "-");
    }
    for (const PercentileTarget& t : options.slo) {
      const std::string field = summary_field(t);
      out += fmt::format(" {:>14}", has_rate(o) && o.latency_at_max.contains(field)
                                         ? fmt::format("{:.1f}", o.latency_at_max.at(field).get<double>())
                                         : (has_rate(o) ? "n/a" : "-"));
    }
    out += fmt::format(fmt::runtime(cost_columns),
                       has_rate(o) ? money(o.usd_per_million_output_tokens) : "-",
                       has_rate(o) ? fmt::format("{:.3f}", o.joules_per_output_token) : "-",
                       has_rate(o) ? fmt::format("{:.0f}", o.gpu_power_w) : "-", money(o.usd_per_hour_per_replica));
    if (target) {
      out += fmt::format(" {:>8} {:>5} {:>9}", has_rate(o) ? std::to_string(o.replicas_for_target) : "-",
                         has_rate(o) ? std::to_string(o.gpus_for_target) : "-",
                         has_rate(o) ? money(o.usd_per_hour_for_target) : "-");
    }
    out += "  " + to_string(o.status);
    if (!o.note.empty()) out += ": " + o.note;
    out += "\n";
  }
  return out;
}

std::string plan_csv_text(const PlanOptions& options, const std::vector<PlanOption>& plan) {
  const bool units = unit_plan(plan);
  std::vector<std::string> header =
      units ? std::vector<std::string>{"rank", "unit", "layout", "prefill_replicas", "decode_replicas",
                                       "aggregated_replicas", "prefill_hardware", "prefill_tensor_parallel",
                                       "hardware", "tensor_parallel",
                                       "gpus_per_unit", "status", "max_rate_per_s",
                                       "requests_per_s_per_gpu"}
            : std::vector<std::string>{"rank", "hardware", "tensor_parallel", "gpus_per_replica", "status",
                                       "max_rate_per_s"};
  for (const PercentileTarget& t : options.slo) header.push_back(summary_field(t));
  for (const char* column : {"slo_attainment", "output_tokens_per_s", "busy_time_share", "usd_per_gpu_hour",
                             units ? "usd_per_hour_per_unit" : "usd_per_hour_per_replica",
                             "usd_per_million_output_tokens", "gpu_power_w", "joules_per_output_token",
                             units ? "units_for_target" : "replicas_for_target", "gpus_for_target",
                             "usd_per_hour_for_target", "evaluations", "note"}) {
    header.push_back(column);
  }
  std::string out = csv_line(header) + "\n";
  const bool target = options.target_rate_per_s.has_value();
  const std::vector<std::size_t> order = rank_plan(plan, target);
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const PlanOption& o = plan[order[rank]];
    const bool rate = has_rate(o);
    const bool split = o.layout == PlanLayout::disaggregated;
    const bool grouped = o.layout == PlanLayout::aggregated;
    std::vector<std::string> row =
        units ? std::vector<std::string>{std::to_string(rank + 1), o.label, layout_name(o.layout),
                                         split ? std::to_string(o.xpyd.prefill) : "",
                                         split ? std::to_string(o.xpyd.decode) : "",
                                         grouped ? std::to_string(o.aggregated_replicas) : "",
                                         split ? o.prefill_hardware : "",
                                         split ? std::to_string(o.prefill_tensor_parallel) : "", o.hardware,
                                         std::to_string(o.tensor_parallel), std::to_string(o.gpus_per_replica), to_string(o.status),
                                         rate ? num(o.max_rate_per_s) : "", rate ? num(rate_per_gpu(o)) : ""}
              : std::vector<std::string>{std::to_string(rank + 1), o.hardware, std::to_string(o.tensor_parallel),
                                         std::to_string(o.gpus_per_replica), to_string(o.status),
                                         rate ? num(o.max_rate_per_s) : ""};
    for (const PercentileTarget& t : options.slo) {
      const std::string field = summary_field(t);
      row.push_back(rate && o.latency_at_max.contains(field) ? scalar_text(o.latency_at_max.at(field)) : "");
    }
    row.push_back(rate ? scalar_text(o.latency_at_max.at("slo_attainment")) : "");
    row.push_back(rate ? num(o.output_tokens_per_s) : "");
    row.push_back(rate ? num(o.busy_time_share) : "");
    row.push_back(o.usd_per_gpu_hour > 0.0 ? num(o.usd_per_gpu_hour) : "");
    row.push_back(o.usd_per_gpu_hour > 0.0 ? num(o.usd_per_hour_per_replica) : "");
    row.push_back(rate && o.usd_per_gpu_hour > 0.0 ? num(o.usd_per_million_output_tokens) : "");
    row.push_back(rate ? num(o.gpu_power_w) : "");
    row.push_back(rate ? num(o.joules_per_output_token) : "");
    row.push_back(rate && target ? std::to_string(o.replicas_for_target) : "");
    row.push_back(rate && target ? std::to_string(o.gpus_for_target) : "");
    row.push_back(rate && target && o.usd_per_gpu_hour > 0.0 ? num(o.usd_per_hour_for_target) : "");
    row.push_back(std::to_string(o.evaluations.size()));
    row.push_back(o.note);
    out += csv_line(row) + "\n";
  }
  return out;
}

Json plan_json(const PlanOptions& options, const std::vector<PlanOption>& plan) {
  Json out;
  out["scenario"] = options.scenario_path;
  Json set = Json::array();
  for (const loader::Override& o : options.set_overrides) set.push_back(o.key_path + "=" + o.value);
  out["set"] = std::move(set);
  Json slo = Json::object();
  for (const PercentileTarget& t : options.slo) slo[t.key] = t.max_ms;
  out["slo"] = std::move(slo);
  Json fields = Json::object();
  for (const PercentileTarget& t : options.slo) fields[t.key] = summary_field(t);
  out["slo_summary_fields"] = std::move(fields);
  out["target_rate_per_s"] = options.target_rate_per_s ? Json(*options.target_rate_per_s) : Json(nullptr);
  out["requests_per_point"] = options.requests_per_point;
  out["rate_tolerance"] = options.rate_tolerance;
  out["pass_rule"] =
      "every request completes, each target percentile in summary.json is within its limit, and the queue is stable: "
      "mean queueing delay of the second half of requests <= 2 x that of the first half + 50 ms";
  out["power_model"] =
      "P = idle_power_w + (tdp_w - idle_power_w) x busy_time_share per GPU (linear model, Fan, Weber and Barroso, "
      "ISCA 2007); J/token = P x GPUs x sim_time_s / output tokens, at max_rate_per_s";
  const bool units = unit_plan(plan);
  if (units) {
    out["units"] =
        "a disaggregated unit is x prefill and y decode replicas (xPyD) of the scenario's two pools, searched as one "
        "deployment, its prefill replicas on prefill_hardware at prefill_tensor_parallel and its decode replicas on "
        "hardware at tensor_parallel; "
        "gpus_per_unit = x x prefill GPUs per replica + y x decode GPUs per replica; an aggregated baseline is the "
        "same GPUs as plain replicas of the decode pool (its hardware, parallelism, engine and router, at the first "
        "planned decode TP whose replica divides them; the prefill pool's likewise when none does), tensor_parallel "
        "its replicas' TP; units_for_target = ceil(target / max_rate_per_s)";
  }
  const std::string per = units ? "unit" : "replica";
  Json rows = Json::array();
  const bool target = options.target_rate_per_s.has_value();
  for (const std::size_t i : rank_plan(plan, target)) {
    const PlanOption& o = plan[i];
    const bool rate = has_rate(o);
    Json row;
    if (units) {
      row["unit"] = o.label;
      row["layout"] = layout_name(o.layout);
      const bool split = o.layout == PlanLayout::disaggregated;
      row["prefill_replicas"] = split ? Json(o.xpyd.prefill) : Json(nullptr);
      row["decode_replicas"] = split ? Json(o.xpyd.decode) : Json(nullptr);
      row["aggregated_replicas"] = o.layout == PlanLayout::aggregated ? Json(o.aggregated_replicas) : Json(nullptr);
      row["prefill_hardware"] = split ? Json(o.prefill_hardware) : Json(nullptr);
      row["prefill_tensor_parallel"] = split ? Json(o.prefill_tensor_parallel) : Json(nullptr);
    }
    row["hardware"] = o.hardware;
    row["tensor_parallel"] = o.tensor_parallel;
    row["gpus_per_" + per] = o.gpus_per_replica;
    row["status"] = to_string(o.status);
    row["note"] = o.note;
    row["max_rate_per_s"] = rate ? Json(o.max_rate_per_s) : Json(nullptr);
    if (units) row["requests_per_s_per_gpu"] = rate ? Json(rate_per_gpu(o)) : Json(nullptr);
    row["latency_at_max"] = rate ? o.latency_at_max : Json(nullptr);
    row["output_tokens_per_s"] = rate ? Json(o.output_tokens_per_s) : Json(nullptr);
    row["busy_time_share"] = rate ? Json(o.busy_time_share) : Json(nullptr);
    row["usd_per_gpu_hour"] = o.usd_per_gpu_hour > 0.0 ? Json(o.usd_per_gpu_hour) : Json(nullptr);
    if (units) {
      row["usd_per_hour_per_unit"] = o.usd_per_gpu_hour > 0.0 ? Json(o.usd_per_hour_per_replica) : Json(nullptr);
    }
    row["usd_per_million_output_tokens"] =
        rate && o.usd_per_gpu_hour > 0.0 ? Json(o.usd_per_million_output_tokens) : Json(nullptr);
    row["gpu_power_w"] = rate ? Json(o.gpu_power_w) : Json(nullptr);
    row["joules_per_output_token"] = rate ? Json(o.joules_per_output_token) : Json(nullptr);
    row[units ? "units_for_target" : "replicas_for_target"] = rate && target ? Json(o.replicas_for_target) : Json(nullptr);
    row["gpus_for_target"] = rate && target ? Json(o.gpus_for_target) : Json(nullptr);
    row["usd_per_hour_for_target"] = rate && target && o.usd_per_gpu_hour > 0.0 ? Json(o.usd_per_hour_for_target) : Json(nullptr);
    Json evaluations = Json::array();
    for (const RateEvaluation& e : o.evaluations) {
      evaluations.push_back(Json{{"rate_per_s", e.rate_per_s}, {"passed", e.passed}, {"failure", e.failure},
                                 {"latency", e.latency}});
    }
    row["evaluations"] = std::move(evaluations);
    rows.push_back(std::move(row));
  }
  out["options"] = std::move(rows);
  return out;
}

}  // namespace llmsim::analysis
