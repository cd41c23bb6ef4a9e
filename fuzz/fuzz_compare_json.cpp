// libFuzzer harness: `llmsim compare`'s inputs (analysis::load_summary_for_compare), a
// summary.json or a vLLM benchmark result. Bad input must end in core::InputError; an
// accepted summary compared with itself must show no failure at any tolerance, and the
// comparison table must be printable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/summary_compare.h"
#include "core/input_error.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llmsim::fuzz::write_input_file(data, size, "summary.json");
  try {
    const llmsim::analysis::LoadedSummary summary = llmsim::analysis::load_summary_for_compare(path);
    llmsim::analysis::CompareOptions options;
    options.rtol = 0.0;
    const llmsim::analysis::CompareResult same = llmsim::analysis::compare_summaries(summary, summary, options);
    if (same.failures != 0) llmsim::fuzz::property_failed("a summary differs from itself");
    (void)llmsim::analysis::compare_table_text(same, options, true);
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
