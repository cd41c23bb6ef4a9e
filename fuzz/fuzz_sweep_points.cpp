// libFuzzer harness: a sweep file, `llmsim sweep --points FILE.csv`
// (analysis::read_sweep_file). Bad input must end in core::InputError; an accepted file must
// give at least one point, indices 0, 1, 2, ..., settings only of the header's keys and in
// their order, and each point's origin naming the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "analysis/sweep_spec.h"
#include "core/input_error.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = llmsim::fuzz::write_input_file(data, size, "points.csv");
  try {
    const llmsim::analysis::SweepSpec spec = llmsim::analysis::read_sweep_file(path);
    if (spec.points.empty()) llmsim::fuzz::property_failed("an accepted sweep file has no points");
    for (std::size_t i = 0; i < spec.points.size(); ++i) {
      const llmsim::analysis::SweepPoint& point = spec.points[i];
      if (point.index != static_cast<std::int64_t>(i)) llmsim::fuzz::property_failed("indices are not 0, 1, 2, ...");
      if (point.origin.rfind(path, 0) != 0) llmsim::fuzz::property_failed("an origin does not name the file");
      std::size_t previous = 0;
      for (const llmsim::loader::Override& setting : point.settings) {
        const auto key = std::find(spec.keys.begin(), spec.keys.end(), setting.key_path);
        if (key == spec.keys.end()) llmsim::fuzz::property_failed("a setting of a key the header does not name");
        const auto at = static_cast<std::size_t>(key - spec.keys.begin());
        if (&setting != &point.settings.front() && at <= previous) llmsim::fuzz::property_failed("settings out of order");
        previous = at;
      }
    }
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
