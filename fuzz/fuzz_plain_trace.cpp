// libFuzzer harness: the plain CSV trace reader (workloads::read_plain_csv).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_trace.h"
#include "workloads/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  llmsim::fuzz::fuzz_trace(data, size, "trace.csv",
                           [](const std::string& path) { return llmsim::workloads::read_plain_csv(path); });
  return 0;
}
