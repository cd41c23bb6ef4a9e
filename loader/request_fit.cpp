#include "loader/request_fit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "workloads/distributions.h"
#include "workloads/rng_stream.h"
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

/// The longest value sample_length(dist, ...) can return: the fixed value, floor(high) of a
/// uniform, the largest empirical value, each clipped to max_tokens; max_tokens for normal
/// and lognormal, whose support is unbounded above.
std::int64_t longest_length(const workloads::LengthDistribution& dist) {
  std::int64_t longest = dist.max_tokens;
  if (const auto* fixed = std::get_if<workloads::FixedLength>(&dist.shape)) {
    const double value = std::round(fixed->value);  // sample_length rounds halves away from zero too
    if (value < static_cast<double>(longest)) longest = static_cast<std::int64_t>(value);
  } else if (const auto* uniform = std::get_if<workloads::UniformLength>(&dist.shape)) {
    if (uniform->high < static_cast<double>(longest)) longest = static_cast<std::int64_t>(std::floor(uniform->high));
  } else if (const auto* empirical = std::get_if<workloads::EmpiricalLength>(&dist.shape)) {
    if (!empirical->values.empty()) {
      longest = std::min(longest, *std::max_element(empirical->values.begin(), empirical->values.end()));
    }
  }
  return std::max(longest, dist.min_tokens);
}

/// Draw pairs for the share of requests over the context, and the share refused: a run in
/// which more than 1% of the requests can never be served reports on another workload than
/// the one described (issue 22). With 20,000 draws the estimate's standard error at 1% is
/// sqrt(0.01 x 0.99 / 20000) = 0.07 percentage points.
constexpr int kContextCheckDraws = 20000;
constexpr double kMaxShareOverContext = 0.01;

/// The share of requests whose input + output exceed `context`, estimated from
/// kContextCheckDraws draws of the workload's own samplers (same rounding, clipping and
/// shared-prefix lengthening as the request generator) on a stream of a fixed seed, so the
/// verdict does not depend on the scenario's seed.
double share_over_context(const workloads::WorkloadSpec& workload, std::int64_t context) {
  const workloads::LengthSampler input(workload.input_tokens);
  const workloads::LengthSampler output(workload.output_tokens);
  workloads::RngStream input_rng(0, "llmsim/context-check/input");
  workloads::RngStream output_rng(0, "llmsim/context-check/output");
  int over = 0;
  for (int i = 0; i < kContextCheckDraws; ++i) {
    const std::int64_t in = std::max(input.sample(input_rng), workload.shared_prefix_tokens);
    const std::int64_t out = output.sample(output_rng);
    if (exceeds_context(in, out, context)) ++over;
  }
  return static_cast<double>(over) / kContextCheckDraws;
}

std::string percent_text(double share) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f%%", share * 100.0);
  return text.data();
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
  // Some requests may be too long: those are rejected and counted failed. Refused when they
  // would be more than kMaxShareOverContext of the run.
  const std::int64_t longest_input =
      std::max(longest_length(workload.input_tokens), workload.shared_prefix_tokens);
  if (!exceeds_context(longest_input, longest_length(workload.output_tokens), model.max_position_embeddings)) return;
  const double share = share_over_context(workload, model.max_position_embeddings);
  if (share > kMaxShareOverContext) {
    workload_map.fail("input_tokens", "about " + percent_text(share) + " of the requests these input and output "
                                      "lengths give are longer than " + context_text(model) +
                                      " and would be rejected (counted failed); more than 1% is refused: shorten "
                                      "the lengths or cap them with max");
  }
}

}  // namespace llmsim::loader
