// libFuzzer harness: `llmsim sweep --grid` texts (analysis::parse_grid_axis, cartesian_sweep).
// The input is one --grid option per line. Bad input must end in core::InputError; an
// accepted grid must have the product of the axes' value counts as its point count, every
// point setting every key once, in key order, and indices 0, 1, 2, ...
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/sweep_spec.h"
#include "core/input_error.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> options;
  std::size_t start = 0;
  while (start <= text.size() && options.size() < 8) {
    const std::size_t end = text.find('\n', start);
    options.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  try {
    std::vector<llmsim::analysis::GridAxis> axes;
    for (const std::string& option : options) axes.push_back(llmsim::analysis::parse_grid_axis(option));
    const llmsim::analysis::SweepSpec spec = llmsim::analysis::cartesian_sweep(axes);
    std::size_t expected = 1;
    for (const llmsim::analysis::GridAxis& axis : axes) {
      if (axis.values.empty()) llmsim::fuzz::property_failed("an accepted axis has no values");
      expected *= axis.values.size();
    }
    if (spec.points.size() != expected) llmsim::fuzz::property_failed("the point count is not the product");
    if (spec.keys.size() != axes.size()) llmsim::fuzz::property_failed("a key is missing or repeated");
    for (std::size_t i = 0; i < spec.points.size(); ++i) {
      const llmsim::analysis::SweepPoint& point = spec.points[i];
      if (point.index != static_cast<std::int64_t>(i)) llmsim::fuzz::property_failed("indices are not 0, 1, 2, ...");
      if (point.settings.size() != spec.keys.size()) llmsim::fuzz::property_failed("a point misses a key");
      for (std::size_t k = 0; k < spec.keys.size(); ++k) {
        if (point.settings[k].key_path != spec.keys[k]) llmsim::fuzz::property_failed("settings out of key order");
      }
    }
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
