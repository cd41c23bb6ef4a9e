#include "sim/metrics/summary_builder.h"

#include "sim/metrics/run_header.h"

#include <algorithm>

#include "sim/cluster/gpu_sets.h"
#include "sim/metrics/run_header.h"
#include "sim/metrics/steady_state.h"
#include "sim/metrics/weighted_samples.h"

namespace llmsim::sim {
namespace {

using Json = nlohmann::ordered_json;

constexpr double kNsPerMs = 1e6;
constexpr double kNsPerS = 1e9;

double ratio(double numerator, double denominator) {
  return denominator > 0.0 ? numerator / denominator : 0.0;
}

/// mean/median/std/p90/p95/p99 of ns samples, as <stat>_<name>_ms keys.
void put_latency(Json& out, const std::string& name, WeightedSamples& ns) {
  const DistributionStats s = ns.stats();
  out["mean_" + name + "_ms"] = s.mean / kNsPerMs;
  out["median_" + name + "_ms"] = s.median / kNsPerMs;
  out["std_" + name + "_ms"] = s.std / kNsPerMs;
  out["p90_" + name + "_ms"] = s.p90 / kNsPerMs;
  out["p95_" + name + "_ms"] = s.p95 / kNsPerMs;
  out["p99_" + name + "_ms"] = s.p99 / kNsPerMs;
}

Json scenario_section(const SummaryInputs& in) {
  Json s;
  const PoolSpec& first = in.scenario.pools.front();
  s["seed"] = in.scenario.seed;
  s["model"] = first.model.id;
  s["hardware"] = first.hardware.id;
  s["tensor_parallel"] = first.tensor_parallel;
  s["replicas"] = first.replicas;
  s["engine"] = first.engine.id;
  Json pools = Json::array();
  for (std::size_t p = 0; p < in.scenario.pools.size(); ++p) {
    const PoolSpec& pool = in.scenario.pools[p];
    Json j;
    j["name"] = pool.name;
    j["model"] = pool.model.id;
    j["hardware"] = pool.hardware.id;
    j["tensor_parallel"] = pool.tensor_parallel;
    // Issue 24's layouts, only where used (a tensor-parallel pool's summary is unchanged).
    if (pool.pipeline_parallel > 1) j["pipeline_parallel"] = pool.pipeline_parallel;
    if (pool.attention_data_parallel > 1) j["attention_data_parallel"] = pool.attention_data_parallel;
    if (pool.expert_parallel > 1) {
      j["expert_parallel"] = pool.expert_parallel;
      j["expert_load_balancer"] = std::string(hw::to_string(pool.expert_balancer));
    }
    if (pool.gpus_per_replica() != pool.tensor_parallel) j["gpus_per_replica"] = pool.gpus_per_replica();
    j["replicas"] = pool.replicas;
    j["engine"] = pool.engine.id;
    if (!pool.colocated_with.empty()) j["colocated_with"] = pool.colocated_with;
    // Only where the efficiencies were not calibrated on this GPU (issue 21: datasheet-only
    // runs are upper bounds, not predictions).
    if (const std::string label = efficiency_label(pool.hardware.efficiency_source); !label.empty()) {
      j["hardware_efficiency"] = label;
    }
    j["kv_cache_blocks_per_replica"] = in.kv_blocks_per_replica[p];
    pools.push_back(std::move(j));
  }
  s["pools"] = std::move(pools);
  // Only with co-located pools, whose GPUs count once.
  if (any_colocated(in.scenario.pools)) s["gpus"] = gpu_count(in.scenario.pools);
  return s;
}

/// Names of the distributions whose percentiles came from the sketch (after their stats()).
Json sketched_names(MetricsCollector& m) {
  RequestTotals& t = m.requests();
  const std::pair<const char*, const WeightedSamples*> all[] = {
      {"ttft", &t.ttft_ns},       {"tpot", &t.tpot_ns},
      {"itl", &m.itl_ns()},       {"e2el", &t.e2el_ns},
      {"queueing_delay", &t.queueing_ns}, {"batch_size", &m.batch_sizes()},
      {"tokens_per_iteration", &m.batch_tokens()}};
  Json names = Json::array();
  for (const auto& [name, samples] : all) {
    if (samples->sketched()) names.push_back(name);
  }
  return names;
}

}  // namespace

Json build_summary(const SummaryInputs& in) {
  MetricsCollector& m = in.metrics;
  for (const RequestRecord& r : in.records) {
    if (r.status == RequestStatus::unfinished) m.on_request_unfinished(r);
  }
  RequestTotals& t = m.requests();
  const double duration_s = static_cast<double>(t.last_completion_ns) / kNsPerS;

  Json out;
  out["completed"] = t.completed;
  out["failed"] = t.rejected;
  out["duration"] = duration_s;
  out["total_input_tokens"] = t.input_tokens;
  out["total_output_tokens"] = t.output_tokens;
  out["request_throughput"] = ratio(static_cast<double>(t.completed), duration_s);
  out["output_throughput"] = ratio(static_cast<double>(t.output_tokens), duration_s);
  out["total_token_throughput"] =
      ratio(static_cast<double>(t.input_tokens + t.output_tokens), duration_s);
  put_latency(out, "ttft", t.ttft_ns);
  put_latency(out, "tpot", t.tpot_ns);
  put_latency(out, "itl", m.itl_ns());
  put_latency(out, "e2el", t.e2el_ns);
  out["stopped_early"] = in.stopped_early.empty() ? Json(nullptr) : Json(in.stopped_early);
  out["sim_time_s"] = static_cast<double>(in.sim_time_ns) / kNsPerS;
  out["unfinished_requests"] = t.unfinished;
  out["not_arrived_requests"] = in.not_arrived;
  const workloads::WorkloadSpec& workload = in.scenario.workload;
  if (workload.kind == workloads::WorkloadKind::synthetic &&
      workload.arrival.process == workloads::ArrivalProcess::closed_loop) {
    out["steady_state"] = steady_state_section(m.completions(), workload.arrival.clients);
  }

  const SloSpec& slo = in.scenario.slo;
  const bool any_slo = slo.ttft_ms || slo.tpot_ms || slo.e2el_ms;
  Json goodput;
  Json targets = Json::object();
  if (slo.ttft_ms) targets["ttft_ms"] = *slo.ttft_ms;
  if (slo.tpot_ms) targets["tpot_ms"] = *slo.tpot_ms;
  if (slo.e2el_ms) targets["e2el_ms"] = *slo.e2el_ms;
  goodput["slo"] = std::move(targets);
  goodput["slo_attainment"] =
      any_slo ? Json(ratio(static_cast<double>(t.slo_met), static_cast<double>(t.completed)))
              : Json(nullptr);
  goodput["goodput_requests_per_s"] =
      any_slo ? Json(ratio(static_cast<double>(t.slo_met), duration_s)) : Json(nullptr);
  out["goodput"] = std::move(goodput);

  const DistributionStats queueing = t.queueing_ns.stats();
  Json q;
  q["mean_queueing_delay_ms"] = queueing.mean / kNsPerMs;
  q["median_queueing_delay_ms"] = queueing.median / kNsPerMs;
  q["p99_queueing_delay_ms"] = queueing.p99 / kNsPerMs;
  q["max_waiting_requests"] = m.max_waiting();
  q["waiting_at_end"] = m.waiting_now();
  out["queueing"] = std::move(q);

  const DistributionStats sizes = m.batch_sizes().stats();
  const DistributionStats tokens = m.batch_tokens().stats();
  Json b;
  b["iterations"] = m.iterations();
  b["mean_batch_size"] = sizes.mean;
  b["median_batch_size"] = sizes.median;
  b["p99_batch_size"] = sizes.p99;
  b["mean_tokens_per_iteration"] = tokens.mean;
  b["median_tokens_per_iteration"] = tokens.median;
  b["p99_tokens_per_iteration"] = tokens.p99;
  out["batching"] = std::move(b);

  const auto iterations = static_cast<double>(m.iterations());
  Json u;
  u["compute_bound_iteration_share"] = ratio(static_cast<double>(m.compute_bound_iterations()), iterations);
  u["memory_bound_iteration_share"] = ratio(static_cast<double>(m.memory_bound_iterations()), iterations);
  u["mean_mfu"] = ratio(m.flops(), m.peak_flops_while_busy());
  u["mean_hbm_bandwidth_utilization"] = ratio(m.hbm_bytes(), m.peak_bytes_while_busy());
  // Per GPU set: co-located engines take turns, so their busy times add up on one set.
  u["busy_time_share"] =
      ratio(static_cast<double>(m.busy_ns()),
            static_cast<double>(in.sim_time_ns) * static_cast<double>(gpu_set_count(in.scenario.pools)));
  u["kv_cache_usage_mean"] = m.kv_usage_mean();
  u["kv_cache_usage_max"] = m.kv_usage_max();
  u["kv_cache_blocks_total"] = m.kv_blocks_total();
  out["utilization"] = std::move(u);

  Json c;
  c["prefix_cache_hit_rate"] =
      ratio(static_cast<double>(t.cached_tokens), static_cast<double>(t.admitted_prompt_tokens));
  c["cached_tokens"] = t.cached_tokens;
  c["prompt_tokens"] = t.admitted_prompt_tokens;
  out["cache"] = std::move(c);

  out["preemptions"] = m.preemptions();

  Json r;
  r["total"] = t.rejected;
  r["kv_capacity"] = t.rejected_by[static_cast<int>(RejectReason::kv_capacity)];
  r["batch_budget"] = t.rejected_by[static_cast<int>(RejectReason::batch_budget)];
  r["context_length"] = t.rejected_by[static_cast<int>(RejectReason::context_length)];
  out["rejected"] = std::move(r);

  Json f;
  f["flops_prefill"] = m.flops_prefill();
  f["flops_decode"] = m.flops_decode();
  f["flops_total"] = m.flops();
  f["flops_per_output_token"] = ratio(m.flops(), static_cast<double>(t.generated_tokens));
  out["flops"] = std::move(f);

  // Only when some pool speculates, so summaries without it keep their bytes.
  if (std::any_of(in.scenario.pools.begin(), in.scenario.pools.end(),
                  [](const PoolSpec& pool) { return pool.engine.speculative.enabled(); })) {
    Json sp;
    sp["verify_steps"] = m.verify_steps();
    sp["verify_tokens_emitted"] = m.verify_emitted_tokens();
    sp["mean_acceptance_length"] =
        ratio(static_cast<double>(m.verify_emitted_tokens()), static_cast<double>(m.verify_steps()));
    sp["draft_time_share"] = ratio(m.draft_time_s(), m.iteration_time_s());
    out["speculative"] = std::move(sp);
  }

  Json sketched = sketched_names(m);
  if (!sketched.empty()) {
    Json sketch;
    sketch["exact_up_to_distinct_values"] = WeightedSamples::kExactDistinctValues;
    sketch["relative_error"] = WeightedSamples::kSketchRelativeError;
    sketch["sketched"] = std::move(sketched);
    out["percentile_sketch"] = std::move(sketch);
  }
  out["scenario"] = scenario_section(in);
  return out;
}

}  // namespace llmsim::sim
