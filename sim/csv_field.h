// One CSV field as the result files (requests.csv, samples.csv) write it.
#pragma once

#include <string>

namespace llmsim::sim {

/// Appends `text` to `out` as one CSV field: as is, or quoted with its quotes doubled when it
/// holds a comma, a quote or a newline (RFC 4180).
void append_csv_field(std::string& out, const std::string& text);

}  // namespace llmsim::sim
