// `llmsim plan SCENARIO.yaml --slo ttft_p99_ms=...,tpot_p99_ms=... [--target-rate R]
//  [--hardware h100-sxm,a100-sxm-80gb,...] [--tp 1,2,4,8]`: capacity planning. For each
// hardware x tensor-parallel option, the highest request rate one replica sustains within
// the SLO (analysis/capacity_planner.h), the replicas and GPUs a target rate needs, $/hour,
// $ per million output tokens and J per output token. A disaggregated scenario is planned by
// prefill/decode units (--xpyd 1:1,1:2,2:1; default: the scenario's own replicas; each at each
// --prefill-hardware x --prefill-tp x --decode-hardware x --decode-tp choice, default: the
// pools' own) beside an aggregated baseline of the same GPUs (analysis/disaggregated_plan.h). Prints a ranked table;
// writes DIR/plan.csv and DIR/plan.json (and DIR/report.html with --report).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analysis/capacity_planner.h"
#include "analysis/html_report.h"
#include "analysis/parallel_for.h"
#include "analysis/plan_output.h"
#include "analysis/text_files.h"
#include "app/commands.h"
#include "core/input_checks.h"
#include "core/input_error.h"

namespace llmsim::app {
namespace {

namespace fs = std::filesystem;

struct PlanCommandOptions {
  std::string scenario;
  std::string slo;
  std::vector<std::string> overrides;
  std::vector<std::string> hardware;
  std::vector<int> tp;
  std::vector<std::string> xpyd;
  std::vector<int> prefill_tp;
  std::vector<int> decode_tp;
  std::vector<std::string> prefill_hardware;
  std::vector<std::string> decode_hardware;
  std::optional<double> target_rate;
  std::int64_t requests = 1000;
  double rate_tolerance = 0.02;
  double initial_rate = 1.0;
  double min_rate = 0.01;
  double max_rate = 10000.0;
  std::vector<std::string> prices;
  std::int64_t jobs = 0;
  std::string out_dir;
  bool report = false;
  bool quiet = false;
};

double parse_price(const std::string& text, std::string& id) {
  const std::size_t equals = text.find('=');
  double value = 0.0;
  if (equals != std::string::npos && equals > 0) {
    id = text.substr(0, equals);
    const std::string number = text.substr(equals + 1);
    const char* end = number.data() + number.size();
    const auto [ptr, ec] = std::from_chars(number.data(), end, value);
    if (ec == std::errc() && ptr == end && value > 0.0) return value;
  }
  throw core::InputError("--price: expected HARDWARE_ID=USD_PER_GPU_HOUR with a positive price, got \"" + text + "\"");
}

/// One --xpyd item, "X:Y": X prefill and Y decode replicas, each in [1, kMaxReplicas].
analysis::XpYd parse_xpyd(const std::string& text) {
  const std::size_t colon = text.find(':');
  const auto count = [&](const std::string& digits, int& value) {
    const char* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    return !digits.empty() && ec == std::errc() && ptr == end && value >= 1 && value <= core::kMaxReplicas;
  };
  analysis::XpYd unit;
  if (colon != std::string::npos && count(text.substr(0, colon), unit.prefill) &&
      count(text.substr(colon + 1), unit.decode)) {
    return unit;
  }
  throw core::InputError("--xpyd: expected PREFILL:DECODE replica counts from 1 to " +
                         std::to_string(core::kMaxReplicas) + ", such as 1:2, got \"" + text + "\"");
}

/// A --prefill-tp or --decode-tp list: positive sizes, none twice.
std::vector<int> tensor_parallel_sizes(const std::string& flag, const std::vector<int>& sizes) {
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 1) throw core::InputError(flag + ": expected positive integers, got " + std::to_string(sizes[i]));
    if (std::find(sizes.begin(), sizes.begin() + static_cast<std::ptrdiff_t>(i), sizes[i]) !=
        sizes.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw core::InputError(flag + ": " + std::to_string(sizes[i]) + " is listed twice");
    }
  }
  return sizes;
}

/// A --prefill-hardware or --decode-hardware list: none twice (the loader checks each).
std::vector<std::string> hardware_presets(const std::string& flag, const std::vector<std::string>& ids) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i), ids[i]) !=
        ids.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw core::InputError(flag + ": " + ids[i] + " is listed twice");
    }
  }
  return ids;
}

void run_plan(const PlanCommandOptions& o) {
  analysis::PlanOptions options;
  options.scenario_path = o.scenario;
  for (const std::string& text : o.overrides) options.set_overrides.push_back(loader::parse_override(text));
  options.hardware = o.hardware;
  for (const int tp : o.tp) {
    if (tp < 1) throw core::InputError("--tp: expected positive integers, got " + std::to_string(tp));
  }
  options.tensor_parallel = o.tp;
  options.prefill_tensor_parallel = tensor_parallel_sizes("--prefill-tp", o.prefill_tp);
  options.decode_tensor_parallel = tensor_parallel_sizes("--decode-tp", o.decode_tp);
  options.prefill_hardware = hardware_presets("--prefill-hardware", o.prefill_hardware);
  options.decode_hardware = hardware_presets("--decode-hardware", o.decode_hardware);
  for (const std::string& text : o.xpyd) {
    const analysis::XpYd unit = parse_xpyd(text);
    for (const analysis::XpYd& listed : options.xpyd) {
      if (listed.prefill == unit.prefill && listed.decode == unit.decode) {
        throw core::InputError("--xpyd: " + text + " is listed twice");
      }
    }
    options.xpyd.push_back(unit);
  }
  options.slo = analysis::parse_slo_targets(o.slo);
  if (o.target_rate && !(*o.target_rate > 0.0)) throw core::InputError("--target-rate: expected a positive rate");
  options.target_rate_per_s = o.target_rate;
  if (o.requests < 10) throw core::InputError("--requests: expected at least 10 requests per run");
  options.requests_per_point = o.requests;
  if (!(o.rate_tolerance > 0.0)) throw core::InputError("--rate-tolerance: expected a positive number");
  options.rate_tolerance = o.rate_tolerance;
  if (!(o.min_rate > 0.0) || !(o.max_rate >= o.min_rate) || !(o.initial_rate > 0.0)) {
    throw core::InputError("--min-rate, --max-rate, --initial-rate: expected 0 < min <= max and initial > 0");
  }
  options.min_rate_per_s = o.min_rate;
  options.max_rate_per_s = o.max_rate;
  options.initial_rate_per_s = o.initial_rate;
  for (const std::string& text : o.prices) {
    std::string id;
    const double price = parse_price(text, id);
    options.price_per_gpu_hour_usd[id] = price;
  }
  if (o.jobs < 0) throw core::InputError("--jobs: expected a positive integer");
  options.jobs = o.jobs == 0 ? analysis::default_jobs() : o.jobs;

  const std::string out_dir =
      o.out_dir.empty() ? (fs::path("out") / ("plan-" + fs::path(o.scenario).stem().string())).string() : o.out_dir;
  // Every input is checked before the folder is made or anything runs.
  std::vector<analysis::PlanOption> plan = analysis::list_plan_options(options);
  analysis::create_folder(out_dir, "--out");
  analysis::search_plan(plan, options);
  const std::string csv = (fs::path(out_dir) / "plan.csv").string();
  const std::string json = (fs::path(out_dir) / "plan.json").string();
  analysis::write_text_file(csv, analysis::plan_csv_text(options, plan));
  analysis::write_text_file(json, analysis::plan_json(options, plan).dump(2) + "\n");
  std::string report;
  if (o.report) {
    report = (fs::path(out_dir) / "report.html").string();
    analysis::write_text_file(report, analysis::html_report_for_folder(out_dir));
  }
  if (o.quiet) return;
  fmt::print("{}", analysis::plan_table_text(options, plan));
  const bool units = !plan.empty() && plan.front().layout != analysis::PlanLayout::replica;
  fmt::print("max req/s: highest rate one {} sustains within the SLO ({} requests per run); $/Mtok and J/token "
             "at that rate; {}\n",
             units ? "unit (xPyD: x prefill + y decode replicas; aggregated: plain replicas on the same GPUs)"
                   : "replica",
             options.requests_per_point,
             options.target_rate_per_s
                 ? fmt::format("{} and fleet $/h for {:g} req/s", units ? "units" : "replicas",
                               *options.target_rate_per_s)
                 : std::string("no --target-rate"));
  fmt::print("results: {}, {}{}\n", csv, json, report.empty() ? "" : ", " + report);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto options = std::make_shared<PlanCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "plan", "capacity planning: max rate per replica within an SLO, replicas, $ and J per token, per hardware x TP");
  command->add_option("scenario", options->scenario, "scenario YAML file (synthetic workload with open-loop arrivals)")
      ->required();
  command->add_option("--slo", options->slo,
                      "percentile targets, e.g. ttft_p99_ms=500,tpot_p99_ms=50 (METRIC: ttft tpot itl e2el; p50 p90 "
                      "p95 p99)")
      ->required();
  command->add_option("--target-rate", options->target_rate, "requests/s the fleet must serve: replicas and GPUs needed");
  command->add_option("--hardware", options->hardware, "hardware presets to compare, comma-separated (default: the scenario's)")
      ->delimiter(',');
  command->add_option("--tp", options->tp, "tensor-parallel sizes to compare, comma-separated (default: the scenario's)")
      ->delimiter(',');
  command->add_option("--xpyd", options->xpyd,
                      "disaggregated scenarios: prefill:decode replica counts of the units to compare, "
                      "comma-separated, e.g. 1:1,1:2,2:1 (default: the scenario's)")
      ->delimiter(',');
  command->add_option("--prefill-tp", options->prefill_tp,
                      "disaggregated scenarios: tensor-parallel sizes of the prefill replicas to compare, "
                      "comma-separated; each unit is planned at each prefill x decode pair (default: the pool's)")
      ->delimiter(',');
  command->add_option("--decode-tp", options->decode_tp,
                      "disaggregated scenarios: tensor-parallel sizes of the decode replicas to compare, "
                      "comma-separated (default: the pool's)")
      ->delimiter(',');
  command->add_option("--prefill-hardware", options->prefill_hardware,
                      "disaggregated scenarios: hardware presets of the prefill replicas to compare, comma-separated "
                      "(default: the pool's)")
      ->delimiter(',');
  command->add_option("--decode-hardware", options->decode_hardware,
                      "disaggregated scenarios: hardware presets of the decode replicas to compare, comma-separated "
                      "(default: the pool's)")
      ->delimiter(',');
  command->add_option("--requests", options->requests, "requests per simulated run (fixed, seeded)")->capture_default_str();
  command->add_option("--rate-tolerance", options->rate_tolerance,
                      "stop bisecting when (fail - pass) <= this x pass")
      ->capture_default_str();
  command->add_option("--initial-rate", options->initial_rate, "first rate tried, req/s")->capture_default_str();
  command->add_option("--min-rate", options->min_rate, "lowest rate tried, req/s")->capture_default_str();
  command->add_option("--max-rate", options->max_rate, "highest rate tried, req/s")->capture_default_str();
  command->add_option("--price", options->prices, "price per GPU-hour overriding the preset: HARDWARE_ID=USD (repeatable)");
  command->add_option("--set", options->overrides, "override a scenario key: key.path=value (repeatable)");
  command->add_option("--jobs", options->jobs, "options planned in parallel (default: one per core)");
  command->add_option("--out", options->out_dir, "results folder (default: out/plan-<scenario name>)");
  command->add_flag("--report", options->report, "also write DIR/report.html with latency-vs-rate curves");
  command->add_flag("--quiet", options->quiet, "print nothing on success");
  command->callback([options] { run_plan(*options); });
}

}  // namespace llmsim::app
