// fuzz_trace: the body of the three trace-reader harnesses (fuzz_*_trace.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "fuzz/fuzz_input.h"
#include "workloads/trace_reader.h"

namespace llmsim::fuzz {

/// Writes the input to `file_name`, reads it with `read` (a trace reader), and checks what a
/// reader promises for the rows it returns: at least one, arrivals from 0, non-decreasing and
/// below kMaxTraceSpanS, positive token counts, file lines increasing from 1. Bad input must
/// end in core::InputError.
template <typename Read>
void fuzz_trace(const std::uint8_t* data, std::size_t size, const std::string& file_name, Read read) {
  const std::string path = write_input_file(data, size, file_name);
  std::vector<workloads::TraceRow> rows;
  try {
    rows = read(path);
  } catch (const core::InputError&) {
    return;  // expected for bad input
  }
  if (rows.empty()) property_failed("a reader returned no rows");
  if (rows.front().arrival_s != 0.0) property_failed("the first row does not arrive at 0");
  int previous_line = 0;
  double previous_s = 0.0;
  for (const workloads::TraceRow& row : rows) {
    if (!(row.arrival_s >= previous_s)) property_failed("arrivals go backwards");
    if (!(row.arrival_s < workloads::kMaxTraceSpanS)) property_failed("an arrival beyond kMaxTraceSpanS");
    if (row.input_tokens <= 0 || row.output_tokens <= 0) property_failed("a token count is not positive");
    if (row.line <= previous_line) property_failed("row lines do not increase");
    previous_s = row.arrival_s;
    previous_line = row.line;
  }
}

}  // namespace llmsim::fuzz
