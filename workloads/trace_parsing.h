// Field checks shared by the trace readers (internal to workloads/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/trace_row.h"

namespace llmsim::workloads {

/// Parses a whole field as a positive decimal integer; throws
/// InputError(file, line, key, "expected a positive integer, got \"...\"") otherwise.
std::int64_t parse_positive_tokens(std::string_view field, const std::string& file, int line,
                                   const std::string& key);

/// Parses a whole field as a finite decimal number; throws InputError otherwise.
double parse_finite_number(std::string_view field, const std::string& file, int line,
                           const std::string& key);

/// Throws InputError(file, line, key, ...) when `relative_s` (seconds after the first row) is
/// kMaxTraceSpanS or more, or not a number; `shown` is the timestamp as the file writes it.
void check_trace_span(double relative_s, std::string_view shown, const std::string& file, int line,
                      const std::string& key);

/// Throws InputError(file, 0, "", "trace has no rows") when rows is empty.
void require_rows(const std::vector<TraceRow>& rows, const std::string& file);

/// True when max_rows > 0 and rows already holds that many.
inline bool reached_max_rows(const std::vector<TraceRow>& rows, std::int64_t max_rows) {
  return max_rows > 0 && static_cast<std::int64_t>(rows.size()) >= max_rows;
}

}  // namespace llmsim::workloads
