// read_trace and empirical_length_from_trace (declared in trace_reader.h).
#include "workloads/trace_reader.h"

#include <cmath>

#include "core/input_error.h"
#include "workloads/invariant.h"

namespace llmsim::workloads {

std::vector<TraceRow> read_trace(const TraceSpec& spec) {
  if (!(spec.rate_scale > 0.0) || !std::isfinite(spec.rate_scale)) {
    throw core::InputError("", 0, "workload.trace.rate_scale",
                           "expected a positive number, got " + std::to_string(spec.rate_scale));
  }
  if (spec.max_rows < 0) {
    throw core::InputError("", 0, "workload.trace.max_rows",
                           "expected 0 (every row) or a positive count, got " + std::to_string(spec.max_rows));
  }
  std::vector<TraceRow> rows;
  switch (spec.format) {
    case TraceFormat::azure_csv:
      rows = read_azure_csv(spec.path, spec.max_rows);
      break;
    case TraceFormat::mooncake_jsonl:
      rows = read_mooncake_jsonl(spec.path, spec.max_rows);
      break;
    case TraceFormat::plain_csv:
      rows = read_plain_csv(spec.path, spec.max_rows);
      break;
  }
  if (spec.rate_scale != 1.0) {
    for (TraceRow& row : rows) row.arrival_s /= spec.rate_scale;
  }
  return rows;
}

const char* input_tokens_column(TraceFormat format) {
  switch (format) {
    case TraceFormat::azure_csv:
      return "ContextTokens";
    case TraceFormat::mooncake_jsonl:
      return "input_length";
    case TraceFormat::plain_csv:
      return "input_tokens";
  }
  return "input_tokens";
}

EmpiricalLength empirical_length_from_trace(const std::vector<TraceRow>& rows, TraceColumn column) {
  check_invariant(!rows.empty(), "empirical_length_from_trace: no rows");
  EmpiricalLength lengths;
  lengths.values.reserve(rows.size());
  for (const TraceRow& row : rows) {
    lengths.values.push_back(column == TraceColumn::input_tokens ? row.input_tokens : row.output_tokens);
  }
  return lengths;
}

}  // namespace llmsim::workloads
