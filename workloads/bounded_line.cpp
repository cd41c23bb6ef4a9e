#include "workloads/bounded_line.h"

#include "core/input_error.h"

namespace llmsim::workloads {

bool read_trace_line(std::istream& in, std::string& line, const std::string& path, int line_number) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  if (!in.good() || buffer == nullptr) return false;
  bool read_any = false;
  while (true) {
    const std::streambuf::int_type c = buffer->sbumpc();
    if (std::streambuf::traits_type::eq_int_type(c, std::streambuf::traits_type::eof())) {
      in.setstate(std::ios::eofbit);
      return read_any;
    }
    read_any = true;
    const char byte = std::streambuf::traits_type::to_char_type(c);
    if (byte == '\n') return true;
    if (line.size() == kMaxTraceLineBytes) {
      throw core::InputError(path, line_number, "",
                             "the line is longer than " + std::to_string(kMaxTraceLineBytes) +
                                 " bytes: not a trace row (is this a trace file?)");
    }
    line.push_back(byte);
  }
}

}  // namespace llmsim::workloads
