// libFuzzer harness: a sweep manifest as `llmsim merge` and `report` read it (sweep.json or
// sweep.shard-I-of-N.json: analysis::parse_manifest). Bad input must end in
// core::InputError; an accepted manifest must write back (manifest_json) to JSON that reads
// back to the same manifest, and give a sweep.csv.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/sweep_manifest.h"
#include "core/input_error.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::ordered_json json;
  try {
    json = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return 0;  // merge reports invalid JSON itself (analysis/sweep_merge.cpp)
  }
  try {
    const llmsim::analysis::SweepManifest manifest = llmsim::analysis::parse_manifest(json, "sweep.json");
    if (manifest.outcomes.size() != manifest.points.size()) llmsim::fuzz::property_failed("an outcome per point");
    const nlohmann::ordered_json written = llmsim::analysis::manifest_json(manifest);
    const llmsim::analysis::SweepManifest back = llmsim::analysis::parse_manifest(written, "sweep.json");
    if (llmsim::analysis::manifest_json(back) != written) llmsim::fuzz::property_failed("a manifest does not read back");
    const std::vector<nlohmann::ordered_json> summaries(manifest.points.size(), nlohmann::ordered_json::object());
    (void)llmsim::analysis::sweep_csv_text(manifest, summaries);
  } catch (const llmsim::core::InputError&) {
    // Expected for bad input.
  }
  return 0;
}
