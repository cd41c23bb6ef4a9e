// libFuzzer harness: the Azure LLM inference trace CSV reader (workloads::read_azure_csv).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_trace.h"
#include "workloads/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  llmsim::fuzz::fuzz_trace(data, size, "trace.csv",
                           [](const std::string& path) { return llmsim::workloads::read_azure_csv(path); });
  return 0;
}
