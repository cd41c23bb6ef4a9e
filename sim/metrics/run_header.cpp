#include "sim/metrics/run_header.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "sim/metrics/routing_summary.h"
#include "workloads/session_spec.h"

namespace llmsim::sim {
namespace {

using workloads::ArrivalProcess;
using workloads::ArrivalSpec;
using workloads::WorkloadKind;
using workloads::WorkloadSpec;

/// A number as people write it: 10, 0.5, 1e+06 (printf's %g, six significant digits).
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

/// "1 replica", "3 requests".
std::string count(std::int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

const char* policy_name(SchedulingPolicy policy) {
  switch (policy) {
    case SchedulingPolicy::fcfs:
      return "fcfs";
    case SchedulingPolicy::priority:
      return "priority";
    case SchedulingPolicy::shortest_prompt_first:
      return "shortest_prompt_first";
  }
  return "?";
}

const char* admission_name(KvAdmission admission) {
  switch (admission) {
    case KvAdmission::step_blocks:
      return "step_blocks";
    case KvAdmission::watermark:
      return "watermark";
    case KvAdmission::full_reservation:
      return "full_reservation";
    case KvAdmission::new_token_ratio:
      return "new_token_ratio";
  }
  return "?";
}

const char* kind_name(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::synthetic:
      return "synthetic";
    case WorkloadKind::trace:
      return "trace";
    case WorkloadKind::beam_search:
      return "beam_search";
    case WorkloadKind::best_of_n:
      return "best_of_n";
    case WorkloadKind::self_consistency:
      return "self_consistency";
    case WorkloadKind::online_best_of_n:
      return "online_best_of_n";
    case WorkloadKind::sessions:
      return "sessions";
  }
  return "?";
}

const char* trace_format_name(workloads::TraceFormat format) {
  switch (format) {
    case workloads::TraceFormat::azure_csv:
      return "azure_csv";
    case workloads::TraceFormat::mooncake_jsonl:
      return "mooncake_jsonl";
    case workloads::TraceFormat::plain_csv:
      return "plain_csv";
  }
  return "?";
}

/// How requests (or problems) arrive, e.g. "poisson arrivals at 10 req/s".
std::string arrival_text(const ArrivalSpec& arrival, const char* unit) {
  const std::string rate = number(arrival.rate_per_s) + " " + unit + "/s";
  switch (arrival.process) {
    case ArrivalProcess::poisson:
      return "poisson arrivals at " + rate;
    case ArrivalProcess::gamma:
      return "gamma arrivals at " + rate + " (cv " + number(arrival.cv) + ")";
    case ArrivalProcess::constant:
      return "constant arrivals at " + rate;
    case ArrivalProcess::all_at_once:
      return "all at once";
    case ArrivalProcess::closed_loop:
      return "closed loop: " + count(arrival.clients, "client") + ", think time " +
             number(arrival.think_time_s) + " s";
  }
  return "?";
}

std::string workload_text(const WorkloadSpec& workload) {
  if (workload.kind == WorkloadKind::trace && workload.trace) {
    const workloads::TraceSpec& trace = *workload.trace;
    std::string text = "trace " + std::filesystem::path(trace.path).filename().string() + " (" +
                       trace_format_name(trace.format) + "): ";
    if (trace.rows) {
      text += count(static_cast<std::int64_t>(trace.rows->size()), "request");
    } else {
      text += trace.max_rows > 0 ? "the first " + count(trace.max_rows, "row") : std::string("every row");
    }
    text += " at the recorded times";
    if (trace.rate_scale != 1.0) text += " / " + number(trace.rate_scale);
    return text;
  }
  if (workload.kind == WorkloadKind::sessions && workload.sessions) {
    const workloads::SessionSpec& sessions = *workload.sessions;
    if (sessions.trace_sessions) {
      return "session trace " + std::filesystem::path(sessions.trace_path).filename().string() + ": " +
             count(static_cast<std::int64_t>(sessions.trace_sessions->size()), "session");
    }
    return "synthetic sessions, " + count(sessions.synthetic.num_sessions, "session") + ", " +
           arrival_text(sessions.synthetic.arrival, "sessions");
  }
  if (workloads::is_test_time_compute(workload.kind)) {
    return std::string(kind_name(workload.kind)) + ", " + count(workload.num_requests, "problem") + ", " +
           arrival_text(workload.arrival, "problems");
  }
  return count(workload.num_requests, "request") + ", " + arrival_text(workload.arrival, "req");
}

std::string hardware_text(const PoolSpec& pool) {
  std::string text = pool.hardware.id + " x TP " + std::to_string(pool.tensor_parallel);
  if (pool.attention_data_parallel > 1) text += " x DP " + std::to_string(pool.attention_data_parallel);
  if (pool.expert_parallel > 1) text += " (EP " + std::to_string(pool.expert_parallel) + ")";
  if (pool.pipeline_parallel > 1) text += " x PP " + std::to_string(pool.pipeline_parallel);
  text += " x " + count(pool.replicas, "replica");
  if (!pool.colocated_with.empty()) return text + ", on the GPUs of pool " + pool.colocated_with;
  if (pool.replicas > 1) text += std::string(", router ") + router_name(pool.router);
  if (const std::string label = efficiency_label(pool.hardware.efficiency_source); !label.empty()) text += ", " + label;
  return text;
}

std::string model_text(const PoolSpec& pool) {
  const std::string attention =
      pool.precision.attention ? ", attention " + std::string(core::to_string(*pool.precision.attention)) : "";
  return pool.model.id + " (weights " + std::string(core::to_string(pool.precision.weights)) + ", KV cache " +
         std::string(core::to_string(pool.precision.kv_cache)) + attention + ")";
}

/// "LABEL:    value\n" with the value from column 12 (after `indent`). A value longer than
/// kWidth columns is wrapped after its ", " separators, continued in the value's column.
void line(std::string& out, const std::string& indent, const char* label, const std::string& value) {
  constexpr std::size_t kWidth = 78;
  char head[32];
  std::snprintf(head, sizeof head, "%-11s", label);
  const std::string start = indent + head;
  std::string current = start;
  std::size_t from = 0;
  while (from < value.size()) {
    const std::size_t comma = value.find(", ", from);
    const std::size_t end = comma == std::string::npos ? value.size() : comma + 1;  // keeps the comma
    const std::string piece = value.substr(from, end - from);
    if (current.size() > start.size() && current.size() + 1 + piece.size() > kWidth) {
      out += current + '\n';
      current = std::string(start.size(), ' ') + piece;
    } else {
      if (current.size() > start.size()) current += ' ';
      current += piece;
    }
    from = comma == std::string::npos ? value.size() : comma + 2;
  }
  out += current + '\n';
}

}  // namespace

std::string efficiency_label(const std::string& efficiency_source) {
  const auto starts = [&](const char* prefix) { return efficiency_source.rfind(prefix, 0) == 0; };
  if (starts("calibrated")) return "";
  if (starts("carried over")) return "efficiencies carried over from another GPU's calibration (INFERRED)";
  if (starts("documented defaults")) return "datasheet defaults, not calibrated: an upper bound, not a prediction";
  return "efficiencies as given, provenance not stated";
}

std::string engine_label(const EngineConfig& engine) {
  // The preset (engine.kind in the scenario, configs/engines/), then what of it decides the
  // batches: the planner plan_with_engine_policy picks, the KV admission rule, host time.
  // Built by appending (GCC 12 misreads some `"text" + std::string` as overlapping copies).
  std::string text = engine.id;
  if (engine.kind == EngineKind::trtllm) {
    text += engine.chunked_prefill ? ", in-flight batching (chunked context)" : ", in-flight batching (whole prompts)";
  } else if (engine.kind == EngineKind::sglang && engine.chunked_prefill && !engine.mixed_chunk) {
    text += ", chunked prefill, prefill and decode batches apart";
  } else {
    text += engine.chunked_prefill ? ", chunked prefill" : ", whole prompts";
  }
  text += ", KV admission ";
  text += admission_name(engine.admission);
  if (engine.admission == KvAdmission::watermark) {
    text += ' ';
    text += number(engine.watermark);
  } else if (engine.admission == KvAdmission::new_token_ratio) {
    const NewTokenRatioRule& rule = engine.new_token_ratio;
    text += ' ';
    text += number(rule.initial_ratio);
    text += " to ";
    text += number(rule.min_ratio());
    text += " over ";
    text += std::to_string(rule.decay_steps);
    text += " decode batches";
  }
  text += ", host ";
  text += number(engine.host.iteration_s * 1e6);
  text += " us/iteration";
  if (engine.host.per_seq_s > 0) {
    text += " + ";
    text += number(engine.host.per_seq_s * 1e6);
    text += " us/seq";
  }
  text += engine.host.overlapped ? " overlapped, " : " not overlapped, ";
  text += policy_name(engine.policy);
  text += ", max_num_seqs ";
  text += std::to_string(engine.max_num_seqs);
  text += ", max_num_batched_tokens ";
  text += std::to_string(engine.max_num_batched_tokens);
  text += ", block_size ";
  text += std::to_string(engine.block_size);
  text += engine.prefix_caching ? ", prefix caching on" : ", prefix caching off";
  text += ", gpu_memory_utilization ";
  text += number(engine.gpu_memory_utilization);
  return text;
}

std::string format_run_header(const Scenario& scenario, const std::string& scenario_file,
                              const std::vector<std::string>& overrides) {
  std::string out = "=============== What was simulated ================\n";
  line(out, "", "Scenario:", scenario_file);
  for (const std::string& override_text : overrides) line(out, "", "  --set", override_text);
  const bool single = scenario.pools.size() == 1;
  for (const PoolSpec& pool : scenario.pools) {
    if (!single) out += "Pool " + pool.name + ":\n";
    const std::string indent = single ? "" : "  ";
    line(out, indent, "Model:", model_text(pool));
    line(out, indent, "Hardware:", hardware_text(pool));
    line(out, indent, "Engine:", engine_label(pool.engine));
  }
  line(out, "", "Workload:", workload_text(scenario.workload));
  line(out, "", "Seed:", std::to_string(scenario.seed));
  return out;
}

}  // namespace llmsim::sim
