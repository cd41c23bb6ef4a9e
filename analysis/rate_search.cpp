#include "analysis/rate_search.h"

#include <algorithm>
#include <fmt/format.h>
#include <optional>

#include "analysis/cost_model.h"
#include "analysis/queue_stability.h"
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

/// The busy-time share of pool `p`: the disaggregation section's per-pool share when the
/// run has one, else the run's (every replica of a one-pool run).
double pool_busy_share(const Json& summary, std::size_t p) {
  if (summary.contains("disaggregation")) {
    return number(summary.at("disaggregation").at("pools").at(p), "busy_time_share");
  }
  return number(summary.at("utilization"), "busy_time_share");
}

void fill_costs(PlanOption& option, const PlanOptions& options, const sim::Scenario& scenario, const Json& summary) {
  const double completed = number(summary, "completed");
  const double output_tokens = number(summary, "total_output_tokens");
  const double mean_output = completed > 0.0 ? output_tokens / completed : 0.0;
  option.latency_at_max = latency_fields(summary, options.slo);
  option.output_tokens_per_s = option.max_rate_per_s * mean_output;
  option.busy_time_share = number(summary.at("utilization"), "busy_time_share");
  // Summed over the pools; with one price and one power per GPU (one pool, or pools of one
  // preset and load) the per-GPU figures are those values themselves, not a sum divided back.
  double usd_per_hour = 0.0;
  double watts = 0.0;
  bool priced = true;
  std::optional<double> one_price;
  std::optional<double> one_power;
  for (std::size_t p = 0; p < scenario.pools.size(); ++p) {
    const sim::PoolSpec& pool = scenario.pools[p];
    const double pool_gpus = static_cast<double>(pool.replicas) * pool.gpus_per_replica();
    const auto price = options.price_per_gpu_hour_usd.find(pool.hardware.id);
    const double usd_per_gpu_hour =
        price != options.price_per_gpu_hour_usd.end() ? price->second : pool.hardware.price_per_gpu_hour_usd;
    const double power = gpu_power_w(pool.hardware.idle_power_w, pool.hardware.tdp_w, pool_busy_share(summary, p));
    priced = priced && usd_per_gpu_hour > 0.0;
    usd_per_hour += usd_per_gpu_hour * pool_gpus;
    watts += power * pool_gpus;
    one_price = p == 0 || one_price == usd_per_gpu_hour ? std::optional<double>(usd_per_gpu_hour) : std::nullopt;
    one_power = p == 0 || one_power == power ? std::optional<double>(power) : std::nullopt;
  }
  const double gpus = static_cast<double>(option.gpus_per_replica);
  option.usd_per_gpu_hour = !priced ? 0.0 : (one_price ? *one_price : usd_per_hour / gpus);
  option.usd_per_hour_per_replica = !priced ? 0.0 : (one_price ? *one_price * gpus : usd_per_hour);
  option.usd_per_million_output_tokens =
      usd_per_million_output_tokens(option.usd_per_hour_per_replica, option.output_tokens_per_s);
  option.gpu_power_w = one_power ? *one_power : watts / gpus;
  option.joules_per_output_token =
      joules_per_output_token(option.gpu_power_w, option.gpus_per_replica, number(summary, "sim_time_s"), output_tokens);
  if (options.target_rate_per_s) {
    option.replicas_for_target = replicas_for_rate(*options.target_rate_per_s, option.max_rate_per_s);
    option.gpus_for_target = option.replicas_for_target * option.gpus_per_replica;
    option.usd_per_hour_for_target =
        one_price ? static_cast<double>(option.gpus_for_target) * option.usd_per_gpu_hour
                  : static_cast<double>(option.replicas_for_target) * option.usd_per_hour_per_replica;
  }
}

}  // namespace

void search_max_rate(PlanOption& option, const PlanOptions& options, const sim::Scenario& scenario) {
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

}  // namespace llmsim::analysis
