#include "analysis/capacity_planner.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <tuple>

#include "analysis/cost_model.h"
#include "analysis/parallel_for.h"
#include "analysis/queue_stability.h"
#include "core/input_error.h"
#include "loader/hardware_loader.h"
#include "sim/cluster/simulator.h"

namespace llmsim::analysis {
namespace {

using Json = nlohmann::ordered_json;

double number(const Json& summary, const std::string& key) {
  const Json& value = summary.at(key);
  return value.is_number() ? value.get<double>() : 0.0;
}

/// Median and p99 of TTFT, TPOT and E2EL, the targets' fields, and the SLO attainment.
Json latency_fields(const Json& summary, const std::vector<PercentileTarget>& targets) {
  Json out;
  for (const char* key : {"median_ttft_ms", "p99_ttft_ms", "median_tpot_ms", "p99_tpot_ms", "median_e2el_ms",
                          "p99_e2el_ms"}) {
    out[key] = summary.at(key);
  }
  for (const PercentileTarget& target : targets) {
    const std::string field = summary_field(target);
    out[field] = summary.at(field);
  }
  out["slo_attainment"] = summary.at("goodput").at("slo_attainment");
  return out;
}

// clang-tidy's bugprone-exception-escape flags the implicit members of this aggregate because
// nlohmann::json's constructors are not all noexcept; nothing here is noexcept by contract.
struct Outcome {  // NOLINT(bugprone-exception-escape)
  RateEvaluation evaluation;
  Json summary;
};

Outcome evaluate(sim::Scenario scenario, const PlanOptions& options, double rate) {
  scenario.workload.arrival.rate_per_s = rate;
  sim::Simulator simulator(scenario);
  const sim::RunResult result = simulator.run();
  Outcome out;
  out.evaluation.rate_per_s = rate;
  out.evaluation.latency = latency_fields(result.summary, options.slo);
  out.summary = result.summary;
  std::string& failure = out.evaluation.failure;
  const auto completed = result.summary.at("completed").get<std::int64_t>();
  if (!result.summary.at("stopped_early").is_null()) {
    failure = "stopped early (" + result.summary.at("stopped_early").get<std::string>() + ")";
  } else if (completed != options.requests_per_point) {
    failure = fmt::format("{} of {} requests completed", completed, options.requests_per_point);
  }
  for (const PercentileTarget& target : options.slo) {
    const std::string field = summary_field(target);
    const double value = number(result.summary, field);
    if (failure.empty() && value > target.max_ms) failure = fmt::format("{} {:.1f} > {:g}", field, value, target.max_ms);
  }
  const QueueStability queue = queue_stability(result.requests);
  if (failure.empty() && !queue.stable) {
    failure = fmt::format("queue growing (mean queueing delay {:.1f} ms in the first half, {:.1f} ms in the second)",
                          queue.first_half_mean_delay_ms, queue.second_half_mean_delay_ms);
  }
  out.evaluation.passed = failure.empty();
  return out;
}

void fill_costs(PlanOption& option, const PlanOptions& options, const sim::Scenario& scenario, const Json& summary) {
  const hw::HardwareSpec& hardware = scenario.pools.front().hardware;
  const auto price = options.price_per_gpu_hour_usd.find(hardware.id);
  option.usd_per_gpu_hour = price != options.price_per_gpu_hour_usd.end() ? price->second : hardware.price_per_gpu_hour_usd;
  const double completed = number(summary, "completed");
  const double output_tokens = number(summary, "total_output_tokens");
  const double mean_output = completed > 0.0 ? output_tokens / completed : 0.0;
  option.latency_at_max = latency_fields(summary, options.slo);
  option.output_tokens_per_s = option.max_rate_per_s * mean_output;
  option.usd_per_hour_per_replica = option.usd_per_gpu_hour * option.gpus_per_replica;
  option.usd_per_million_output_tokens =
      usd_per_million_output_tokens(option.usd_per_hour_per_replica, option.output_tokens_per_s);
  option.busy_time_share = number(summary.at("utilization"), "busy_time_share");
  option.gpu_power_w = gpu_power_w(hardware.idle_power_w, hardware.tdp_w, option.busy_time_share);
  option.joules_per_output_token =
      joules_per_output_token(option.gpu_power_w, option.gpus_per_replica, number(summary, "sim_time_s"), output_tokens);
  if (options.target_rate_per_s) {
    option.replicas_for_target = replicas_for_rate(*options.target_rate_per_s, option.max_rate_per_s);
    option.gpus_for_target = option.replicas_for_target * option.gpus_per_replica;
    option.usd_per_hour_for_target = static_cast<double>(option.gpus_for_target) * option.usd_per_gpu_hour;
  }
}

void search(PlanOption& option, const PlanOptions& options, const sim::Scenario& scenario) {
  Json best_summary;
  double pass = 0.0;
  double fail = 0.0;  // 0 = none yet
  const auto run = [&](double rate) {
    Outcome outcome = evaluate(scenario, options, rate);
    const bool passed = outcome.evaluation.passed;
    option.evaluations.push_back(std::move(outcome.evaluation));
    if (passed) {
      pass = rate;
      best_summary = std::move(outcome.summary);
    } else {
      fail = rate;
    }
    return passed;
  };
  double rate = std::clamp(options.initial_rate_per_s, options.min_rate_per_s, options.max_rate_per_s);
  if (run(rate)) {
    while (fail == 0.0 && rate < options.max_rate_per_s) {
      rate = std::min(2.0 * rate, options.max_rate_per_s);
      run(rate);
    }
  } else {
    while (pass == 0.0 && rate > options.min_rate_per_s) {
      rate = std::max(0.5 * rate, options.min_rate_per_s);
      run(rate);
    }
  }
  if (pass == 0.0) {
    option.status = PlanStatus::slo_unreachable;
    option.note = "fails at " + fmt::format("{:g}", options.min_rate_per_s) + " req/s: " +
                  option.evaluations.back().failure;
    return;
  }
  if (fail == 0.0) {
    option.status = PlanStatus::above_max_rate;
    option.note = "passes at --max-rate " + fmt::format("{:g}", options.max_rate_per_s) + " req/s";
  }
  while (fail > 0.0 && fail - pass > options.rate_tolerance * pass) run(0.5 * (pass + fail));
  option.max_rate_per_s = pass;
  fill_costs(option, options, scenario, best_summary);
}

sim::Scenario option_scenario(const PlanOptions& options, const std::string& hardware, int tp) {
  std::vector<loader::Override> overrides = options.set_overrides;
  overrides.push_back(loader::Override{"hardware", hardware});
  overrides.push_back(loader::Override{"deployment.tensor_parallel", std::to_string(tp)});
  overrides.push_back(loader::Override{"deployment.replicas", "1"});
  overrides.push_back(loader::Override{"workload.num_requests", std::to_string(options.requests_per_point)});
  sim::Scenario scenario = loader::load_scenario(options.scenario_path, overrides);
  scenario.slo = slo_spec(options.slo);
  return scenario;
}

}  // namespace

std::string to_string(PlanStatus status) {
  switch (status) {
    case PlanStatus::ok: return "ok";
    case PlanStatus::above_max_rate: return "above_max_rate";
    case PlanStatus::slo_unreachable: return "slo_unreachable";
    case PlanStatus::cannot_deploy: return "cannot_deploy";
  }
  return "";
}

std::vector<PlanOption> run_capacity_plan(const PlanOptions& options) {
  // The scenario and --set as given: their errors are the user's, not an option's.
  const sim::Scenario base = loader::load_scenario(options.scenario_path, options.set_overrides);
  const workloads::WorkloadSpec& workload = base.workload;
  if (workload.kind != workloads::WorkloadKind::synthetic ||
      workload.arrival.process == workloads::ArrivalProcess::all_at_once ||
      workload.arrival.process == workloads::ArrivalProcess::closed_loop) {
    throw core::InputError(options.scenario_path, 0, "workload",
                           "plan varies the arrival rate: it needs a synthetic workload with poisson, gamma or "
                           "constant arrivals");
  }
  if (base.pools.size() > 1) {
    throw core::InputError(options.scenario_path, 0, base.disaggregation ? "disaggregation" : "pools",
                           "plan sizes the replicas of one pool; a scenario of several pools (prefill and decode "
                           "pools) is not planned: plan each pool's deployment as a scenario of its own");
  }
  std::vector<std::string> hardware = options.hardware;
  if (hardware.empty()) hardware.push_back(base.pools.front().hardware.id);
  for (const std::string& id : hardware) {
    try {
      (void)loader::load_hardware(id);
    } catch (const core::InputError& error) {
      throw core::InputError(error.file(), error.line(), error.key_path().empty() ? "--hardware" : error.key_path(),
                             error.message());
    }
  }
  std::vector<int> tps = options.tensor_parallel;
  if (tps.empty()) tps.push_back(base.pools.front().tensor_parallel);

  std::vector<PlanOption> plan;
  for (const std::string& id : hardware) {
    for (const int tp : tps) {
      PlanOption option;
      option.hardware = id;
      option.tensor_parallel = tp;
      option.gpus_per_replica = tp * base.pools.front().pipeline_parallel * base.pools.front().attention_data_parallel;
      plan.push_back(std::move(option));
    }
  }
  parallel_for(static_cast<std::int64_t>(plan.size()), options.jobs, [&](std::int64_t i) {
    PlanOption& option = plan[static_cast<std::size_t>(i)];
    try {
      const sim::Scenario scenario = option_scenario(options, option.hardware, option.tensor_parallel);
      option.hardware = scenario.pools.front().hardware.id;
      option.gpus_per_replica = scenario.pools.front().gpus_per_replica();
      search(option, options, scenario);
    } catch (const core::InputError& error) {
      PlanOption failed;
      failed.hardware = option.hardware;
      failed.tensor_parallel = option.tensor_parallel;
      failed.gpus_per_replica = option.gpus_per_replica;
      option = std::move(failed);
      option.status = PlanStatus::cannot_deploy;
      option.note = error.message();
    }
  });
  return plan;
}

std::vector<std::size_t> rank_plan(const std::vector<PlanOption>& options, bool has_target) {
  std::vector<std::size_t> order(options.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto key = [&](std::size_t i) {
    const PlanOption& o = options[i];
    const bool deployable = o.max_rate_per_s > 0.0;
    const bool priced = o.usd_per_gpu_hour > 0.0;
    const double cost = has_target ? o.usd_per_hour_for_target : o.usd_per_million_output_tokens;
    const std::int64_t gpus = has_target ? o.gpus_for_target : o.gpus_per_replica;
    return std::make_tuple(!deployable, !priced, priced ? cost : 0.0, gpus, o.hardware, o.tensor_parallel);
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  return order;
}

}  // namespace llmsim::analysis
