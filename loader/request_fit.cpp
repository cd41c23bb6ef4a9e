#include "loader/request_fit.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "workloads/distributions.h"
#include "workloads/trace_reader.h"

namespace llmsim::loader {
namespace {

/// input + output > context, without overflowing (both are positive).
bool exceeds_context(std::int64_t input_tokens, std::int64_t output_tokens, std::int64_t context) {
  return output_tokens > context || input_tokens > context - output_tokens;
}

std::string context_text(const core::ModelSpec& model) {
  return model.id + "'s context of " + std::to_string(model.max_position_embeddings) +
         " tokens (max_position_embeddings)";
}

void check_trace(YamlMap& workload_map, workloads::TraceSpec& trace, const core::ModelSpec& model) {
  auto rows = std::make_shared<std::vector<workloads::TraceRow>>(workloads::read_trace(trace));
  if (!(rows->back().arrival_s < workloads::kMaxTraceSpanS)) {
    workload_map.required_map("trace").fail(
        "rate_scale", "replays the trace over 9e9 s (285 years) or more; raise rate_scale");
  }
  const std::int64_t context = model.max_position_embeddings;
  if (context > 0) {
    for (const workloads::TraceRow& row : *rows) {
      if (!exceeds_context(row.input_tokens, row.output_tokens, context)) continue;
      throw core::InputError(trace.path, row.line, workloads::input_tokens_column(trace.format),
                             "the request's " + std::to_string(row.input_tokens) + " input + " +
                                 std::to_string(row.output_tokens) + " output tokens exceed " +
                                 context_text(model));
    }
  }
  trace.rows = std::move(rows);
}

}  // namespace

void check_requests_fit(YamlMap& workload_map, workloads::WorkloadSpec& workload, const core::ModelSpec& model) {
  if (workload.kind == workloads::WorkloadKind::trace && workload.trace) {
    check_trace(workload_map, *workload.trace, model);
    return;
  }
  if (workload.kind != workloads::WorkloadKind::synthetic || model.max_position_embeddings <= 0) return;
  // Every prompt begins with the shared prefix: a prompt shorter than it is lengthened to it
  // (workloads/request_generator.cpp), so no request is shorter than the prefix.
  const std::int64_t input =
      std::max(workloads::shortest_length(workload.input_tokens), workload.shared_prefix_tokens);
  const std::int64_t output = workloads::shortest_length(workload.output_tokens);
  if (exceeds_context(input, output, model.max_position_embeddings)) {
    const bool prefix_decides = workload.shared_prefix_tokens > workloads::shortest_length(workload.input_tokens);
    workload_map.fail(prefix_decides ? "shared_prefix_tokens" : "input_tokens", "every request is longer than " + context_text(model) + ": at least " +
                                          std::to_string(input) + " input + " + std::to_string(output) +
                                          " output tokens");
  }
}

}  // namespace llmsim::loader
