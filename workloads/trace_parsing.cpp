#include "workloads/trace_parsing.h"

#include <charconv>
#include <cmath>

#include "core/input_error.h"
#include "core/message_text.h"
#include "workloads/trace_reader.h"

namespace llmsim::workloads {
namespace {

std::string quoted(std::string_view text) { return core::quoted_excerpt(text); }

}  // namespace

std::int64_t parse_positive_tokens(std::string_view field, const std::string& file, int line,
                                   const std::string& key) {
  std::int64_t value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, error] = std::from_chars(field.data(), end, value);
  if (field.empty() || error != std::errc{} || ptr != end || value <= 0) {
    throw core::InputError(file, line, key, "expected a positive integer, got " + quoted(field));
  }
  return value;
}

double parse_finite_number(std::string_view field, const std::string& file, int line,
                           const std::string& key) {
  double value = 0.0;
  const char* end = field.data() + field.size();
  const auto [ptr, error] = std::from_chars(field.data(), end, value);
  if (field.empty() || error != std::errc{} || ptr != end || !std::isfinite(value)) {
    throw core::InputError(file, line, key, "expected a number, got " + quoted(field));
  }
  return value;
}

void check_trace_span(double relative_s, std::string_view shown, const std::string& file, int line,
                      const std::string& key) {
  if (relative_s < kMaxTraceSpanS) return;  // false for NaN too
  throw core::InputError(file, line, key,
                         "timestamp " + quoted(shown) + " is 9e9 s (285 years) or more after the first row's");
}

void require_rows(const std::vector<TraceRow>& rows, const std::string& file) {
  if (rows.empty()) throw core::InputError(file, 0, "", "trace has no rows");
}

}  // namespace llmsim::workloads
