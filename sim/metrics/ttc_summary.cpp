#include "sim/metrics/ttc_summary.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/input_error.h"
#include "sim/metrics/csv_field.h"
#include "sim/metrics/weighted_samples.h"

namespace llmsim::sim {
namespace {

using Json = nlohmann::ordered_json;

double ratio(double numerator, double denominator) {
  return denominator > 0.0 ? numerator / denominator : 0.0;
}

Json stats_json(WeightedSamples& samples, double scale) {
  const DistributionStats s = samples.stats();
  Json j;
  j["mean"] = s.mean * scale;
  j["median"] = s.median * scale;
  j["p90"] = s.p90 * scale;
  j["p99"] = s.p99 * scale;
  j["max"] = s.max * scale;
  return j;
}

void append_int(std::string& out, std::int64_t value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void append_fixed6(std::string& out, double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 6);
  out.append(buffer, end);
}

}  // namespace

void add_ttc_summary(Json& summary, const TtcResult& result) {
  std::vector<core::SampleCompute> completed;
  std::int64_t failed = 0;
  std::int64_t unfinished = 0;
  WeightedSamples latency_ns;
  WeightedSamples steps;
  double generator_calls = 0.0;
  double prm_calls = 0.0;
  double executed_generator = 0.0;
  double executed_prm = 0.0;
  double completed_gpu_seconds = 0.0;
  for (const TtcProblemRow& row : result.problems) {
    if (row.status == TtcProblemStatus::failed) ++failed;
    if (row.status == TtcProblemStatus::unfinished) ++unfinished;
    if (row.status != TtcProblemStatus::completed) continue;
    completed.push_back(row.compute);
    latency_ns.add(static_cast<double>(row.done_ns - row.arrival_ns));
    steps.add(static_cast<double>(row.steps));
    generator_calls += static_cast<double>(row.generator_calls);
    prm_calls += static_cast<double>(row.prm_calls);
    executed_generator += 2.0 * result.generator_params * static_cast<double>(row.executed_generator_tokens) / 1e12;
    executed_prm += 2.0 * result.prm_params * static_cast<double>(row.executed_prm_tokens) / 1e12;
    for (const double seconds : row.gpu_seconds_by_pool) completed_gpu_seconds += seconds;
  }
  const core::ComputeAggregate aggregate = core::aggregate_compute(completed);
  summary["compute/total_tokens"] = aggregate.total_tokens;
  summary["compute/total_input_tokens"] = aggregate.total_input_tokens;
  summary["compute/total_output_tokens"] = aggregate.total_output_tokens;
  summary["compute/total_tflops"] = aggregate.total_tflops;
  summary["compute/avg_tokens_per_sample"] = aggregate.avg_tokens_per_sample;
  summary["compute/avg_tflops_per_sample"] = aggregate.avg_tflops_per_sample;
  if (result.uses_prm) {
    summary["compute/prm_input_tokens"] = aggregate.prm_input_tokens;
    summary["compute/prm_tflops"] = aggregate.prm_tflops;
  }

  const auto n = static_cast<double>(completed.size());
  Json t;
  t["kind"] = result.kind;
  t["scorer"] = result.scorer;
  t["param_basis"] = result.param_basis;
  t["generator_params"] = result.generator_params;
  t["prm_params"] = result.uses_prm ? Json(result.prm_params) : Json(nullptr);
  Json problems;
  problems["arrived"] = static_cast<std::int64_t>(result.problems.size());
  problems["completed"] = static_cast<std::int64_t>(completed.size());
  problems["failed"] = failed;
  problems["unfinished"] = unfinished;
  t["problems"] = std::move(problems);
  t["latency_per_problem_ms"] = stats_json(latency_ns, 1e-6);
  t["steps_per_problem"] = stats_json(steps, 1.0);
  Json calls;
  calls["generator"] = ratio(generator_calls, n);
  calls["prm"] = ratio(prm_calls, n);
  t["calls_per_problem"] = std::move(calls);

  Json gpu;
  const double total_gpu = result.generator_gpu_seconds + result.prm_gpu_seconds;
  gpu["total"] = total_gpu;
  gpu["generator_calls"] = result.generator_gpu_seconds;
  gpu["prm_calls"] = result.prm_gpu_seconds;
  gpu["prm_share"] = ratio(result.prm_gpu_seconds, total_gpu);
  gpu["mean_per_problem"] = ratio(completed_gpu_seconds, n);
  t["gpu_seconds"] = std::move(gpu);

  const double generator_tflops = aggregate.total_tflops - aggregate.prm_tflops;
  Json flops;
  flops["theoretical_tflops"] = aggregate.total_tflops;
  flops["theoretical_generator_tflops"] = generator_tflops;
  flops["theoretical_prm_tflops"] = aggregate.prm_tflops;
  flops["prm_to_generator_ratio"] = ratio(aggregate.prm_tflops, generator_tflops);
  flops["executed_tflops"] = executed_generator + executed_prm;
  flops["executed_generator_tflops"] = executed_generator;
  flops["executed_prm_tflops"] = executed_prm;
  flops["executed_to_theoretical"] = ratio(executed_generator + executed_prm, aggregate.total_tflops);
  t["flops"] = std::move(flops);

  Json pools = Json::array();
  for (const TtcPoolUsage& pool : result.pools) {
    Json j;
    j["name"] = pool.name;
    j["model"] = pool.model;
    Json serves = Json::array();
    if (pool.serves_generator) serves.push_back("generator");
    if (pool.serves_prm) serves.push_back("prm");
    j["serves"] = std::move(serves);
    // GPUs the pool adds to the deployment: a co-located pool runs on another pool's.
    j["gpus"] = pool.colocated_with.empty() ? pool.gpus_per_replica * pool.replicas : 0;
    if (!pool.colocated_with.empty()) j["colocated_with"] = pool.colocated_with;
    j["busy_gpu_seconds"] = pool.busy_gpu_seconds;
    j["prefill_tokens"] = pool.prefill_tokens;
    j["decode_tokens"] = pool.decode_tokens;
    j["step_model_flops"] = pool.step_model_flops;
    j["prefix_cache_hit_rate"] =
        ratio(static_cast<double>(pool.cached_tokens), static_cast<double>(pool.prompt_tokens));
    j["cached_tokens"] = pool.cached_tokens;
    j["prompt_tokens"] = pool.prompt_tokens;
    pools.push_back(std::move(j));
  }
  t["pools"] = std::move(pools);
  summary["test_time_compute"] = std::move(t);
}

std::string samples_csv_text(const TtcResult& result) {
  std::string out;
  out.reserve(160 * (result.problems.size() + 1));
  out +=
      "problem,status,arrival_ns,done_ns,latency_ms,steps,generator_calls,prm_calls,input_tokens,"
      "output_tokens,total_tokens_this_sample,prm_tokens_this_sample,tflops_this_sample,"
      "prm_tflops_this_sample,executed_tflops_this_sample";
  for (const TtcPoolUsage& pool : result.pools) {
    out += ',';
    append_csv_field(out, "gpu_seconds_" + pool.name);
  }
  out += '\n';
  for (const TtcProblemRow& row : result.problems) {
    const bool done = row.status == TtcProblemStatus::completed;
    append_int(out, row.problem);
    out += ',';
    out += to_string(row.status);
    out += ',';
    append_int(out, row.arrival_ns);
    out += ',';
    if (done) append_int(out, row.done_ns);
    out += ',';
    if (done) append_fixed6(out, static_cast<double>(row.done_ns - row.arrival_ns) / 1e6);
    out += ',';
    append_int(out, row.steps);
    out += ',';
    append_int(out, row.generator_calls);
    out += ',';
    append_int(out, row.prm_calls);
    out += ',';
    append_int(out, row.compute.input_tokens);
    out += ',';
    append_int(out, row.compute.output_tokens);
    out += ',';
    append_int(out, row.compute.total_tokens());
    out += ',';
    append_int(out, row.compute.prm_input_tokens);
    out += ',';
    append_fixed6(out, row.compute.tflops());
    out += ',';
    append_fixed6(out, row.compute.prm_tflops);
    out += ',';
    append_fixed6(out, row.executed_tflops);
    for (const double seconds : row.gpu_seconds_by_pool) {
      out += ',';
      append_fixed6(out, seconds);
    }
    out += '\n';
  }
  return out;
}

std::string format_ttc_table(const Json& summary) {
  std::string out = "=========== Test-time compute ============\n";
  const auto line = [&out](const std::string& label, const std::string& value) {
    char buffer[200];
    std::snprintf(buffer, sizeof buffer, "%-40s %s\n", label.c_str(), value.c_str());
    out += buffer;
  };
  const auto number = [](double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return std::string(buffer);
  };
  if (!summary.contains("test_time_compute")) return out;
  const Json& t = summary["test_time_compute"];
  line("Strategy:", t["kind"].get<std::string>() + " (scorer " + t["scorer"].get<std::string>() + ")");
  line("Problems completed / arrived:", std::to_string(t["problems"]["completed"].get<std::int64_t>()) + " / " +
                                            std::to_string(t["problems"]["arrived"].get<std::int64_t>()));
  line("Mean latency per problem (s):", number(t["latency_per_problem_ms"]["mean"].get<double>() / 1e3, 2));
  line("P99 latency per problem (s):", number(t["latency_per_problem_ms"]["p99"].get<double>() / 1e3, 2));
  line("Mean steps per problem:", number(t["steps_per_problem"]["mean"].get<double>(), 2));
  line("Avg TFLOPs per problem (theoretical):", number(summary["compute/avg_tflops_per_sample"].get<double>(), 1));
  line("PRM / generator FLOP ratio:", number(t["flops"]["prm_to_generator_ratio"].get<double>(), 2));
  line("Executed / theoretical FLOPs:", number(t["flops"]["executed_to_theoretical"].get<double>(), 3));
  line("GPU-seconds per problem:", number(t["gpu_seconds"]["mean_per_problem"].get<double>(), 2));
  line("PRM share of GPU time:", number(t["gpu_seconds"]["prm_share"].get<double>(), 3));
  for (const Json& pool : t["pools"]) {
    line("Prefix cache hit rate (" + pool["name"].get<std::string>() + "):",
         number(pool["prefix_cache_hit_rate"].get<double>(), 3));
  }
  for (const Json& pool : t["pools"]) {
    if (!pool.contains("colocated_with")) continue;
    line("GPUs of pool " + pool["name"].get<std::string>() + ":",
         "shared with pool " + pool["colocated_with"].get<std::string>() + " (co-located)");
  }
  out += "==================================================\n";
  return out;
}

void write_samples_csv(const TtcResult& result, const std::string& path) {
  const std::string text = samples_csv_text(result);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (file) file.close();
  if (!file) {
    throw core::InputError(path, 0, "", std::string("cannot write the file: ") + std::strerror(errno));
  }
}

}  // namespace llmsim::sim
