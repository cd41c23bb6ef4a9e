// read_azure_csv and read_plain_csv (declared in trace_reader.h).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/input_error.h"
#include "core/message_text.h"
#include "workloads/azure_timestamp.h"
#include "workloads/csv_reader.h"
#include "workloads/monotonic_check.h"
#include "workloads/trace_parsing.h"
#include "workloads/trace_reader.h"

namespace llmsim::workloads {

std::vector<TraceRow> read_azure_csv(const std::string& path, std::int64_t max_rows) {
  const std::string kTimestamp = "TIMESTAMP";
  const std::string kContext = "ContextTokens";
  const std::string kGenerated = "GeneratedTokens";
  CsvReader csv(path);
  const std::size_t timestamp_col = csv.column(kTimestamp);
  const std::size_t context_col = csv.column(kContext);
  const std::size_t generated_col = csv.column(kGenerated);
  MonotonicCheck monotonic(path, kTimestamp);
  std::vector<TraceRow> rows;
  std::int64_t first_ns = 0;
  while (!reached_max_rows(rows, max_rows) && csv.next_row()) {
    const auto& fields = csv.fields();
    const std::string_view stamp = fields[timestamp_col];
    const auto ns = parse_azure_timestamp_ns(stamp);
    if (!ns) {
      throw core::InputError(path, csv.line(), kTimestamp,
                             "expected a time like \"2023-11-16 18:15:46.6805900\", got " + core::quoted_excerpt(stamp));
    }
    if (rows.empty()) first_ns = *ns;
    // Relative nanoseconds are exact in a double for traces shorter than 104 days.
    const double relative_ns = static_cast<double>(*ns - first_ns);
    monotonic.check(relative_ns, stamp, csv.line());
    TraceRow row;
    row.arrival_s = relative_ns * 1e-9;
    row.line = csv.line();
    check_trace_span(row.arrival_s, stamp, path, csv.line(), kTimestamp);
    row.input_tokens = parse_positive_tokens(fields[context_col], path, csv.line(), kContext);
    row.output_tokens = parse_positive_tokens(fields[generated_col], path, csv.line(), kGenerated);
    rows.push_back(std::move(row));
  }
  require_rows(rows, path);
  return rows;
}

std::vector<TraceRow> read_plain_csv(const std::string& path, std::int64_t max_rows) {
  const std::string kArrival = "arrival_s";
  const std::string kInput = "input_tokens";
  const std::string kOutput = "output_tokens";
  CsvReader csv(path);
  const std::size_t arrival_col = csv.column(kArrival);
  const std::size_t input_col = csv.column(kInput);
  const std::size_t output_col = csv.column(kOutput);
  // Optional: a per-request speculative acceptance length (RequestSpec::acceptance_length).
  const std::string kAcceptance = "acceptance_length";
  const std::optional<std::size_t> acceptance_col = csv.find_column(kAcceptance);
  MonotonicCheck monotonic(path, kArrival);
  std::vector<TraceRow> rows;
  double first_s = 0.0;
  while (!reached_max_rows(rows, max_rows) && csv.next_row()) {
    const auto& fields = csv.fields();
    const double arrival_s = parse_finite_number(fields[arrival_col], path, csv.line(), kArrival);
    monotonic.check(arrival_s, fields[arrival_col], csv.line());
    if (rows.empty()) first_s = arrival_s;
    TraceRow row;
    row.arrival_s = arrival_s - first_s;
    row.line = csv.line();
    check_trace_span(row.arrival_s, fields[arrival_col], path, csv.line(), kArrival);
    row.input_tokens = parse_positive_tokens(fields[input_col], path, csv.line(), kInput);
    row.output_tokens = parse_positive_tokens(fields[output_col], path, csv.line(), kOutput);
    if (acceptance_col) {
      row.acceptance_length = parse_finite_number(fields[*acceptance_col], path, csv.line(), kAcceptance);
      if (!(row.acceptance_length >= 1.0)) {
        throw core::InputError(path, csv.line(), kAcceptance,
                               "expected a mean acceptance length >= 1 (tokens per verify step, the bonus token "
                               "included), got " + core::quoted_excerpt(std::string(fields[*acceptance_col])));
      }
    }
    rows.push_back(std::move(row));
  }
  require_rows(rows, path);
  return rows;
}

}  // namespace llmsim::workloads
