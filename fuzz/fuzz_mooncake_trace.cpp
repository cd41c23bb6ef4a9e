// libFuzzer harness: the Mooncake JSONL trace reader (workloads::read_mooncake_jsonl).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_trace.h"
#include "workloads/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  llmsim::fuzz::fuzz_trace(data, size, "trace.jsonl",
                           [](const std::string& path) { return llmsim::workloads::read_mooncake_jsonl(path); });
  return 0;
}
