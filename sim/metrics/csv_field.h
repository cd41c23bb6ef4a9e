// One CSV field as every file llmsim writes has it (requests.csv, samples.csv, and through
// analysis/csv_text.h sweep.csv, plan.csv, timeseries.csv).
#pragma once

#include <string>

namespace llmsim::sim {

/// Appends `text` to `out` as one CSV field: as is, or quoted with its quotes doubled when it
/// holds a comma, a quote, a carriage return or a line feed (RFC 4180; analysis::parse_csv
/// drops a bare CR, so one must be quoted to come back).
void append_csv_field(std::string& out, const std::string& text);

}  // namespace llmsim::sim
