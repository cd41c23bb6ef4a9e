// Reading a trace file line by line with bounded memory (issue 22): a file that is one huge
// line (a 50 MB blob, a binary file without newlines) is refused at the line's first
// kMaxTraceLineBytes + 1 bytes instead of being read whole into memory.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace llmsim::workloads {

/// Far above any trace row: a Mooncake row of a one-million-token prompt lists ~2,000 block
/// hash ids (512 tokens a block), about 20 KB; an Azure or plain CSV row is under 100 bytes.
inline constexpr std::size_t kMaxTraceLineBytes = std::size_t{1} << 20;

/// Reads the next line of `in` into `line`, without its '\n', as std::getline does: false when
/// the stream is at its end and nothing was read. Throws core::InputError(path, line_number,
/// "", ...) when the line is longer than kMaxTraceLineBytes, having read no more than that.
bool read_trace_line(std::istream& in, std::string& line, const std::string& path, int line_number);

}  // namespace llmsim::workloads
