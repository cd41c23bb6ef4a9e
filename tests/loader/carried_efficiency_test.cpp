// Hardware presets that carry another preset's calibration (`efficiency: {carried_from: ID,
// reason: "..."}`, configs/README.md "Carrying another preset's calibration"): every shipped
// carrier loads exactly its donor's numbers, donors have their own fit, and a reference that
// is unknown, chained, cyclic or has company is refused at its key.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/input_error.h"
#include "hw/operator.h"
#include "loader/hardware_loader.h"
#include "tests/loader/temp_files.h"
#include "tests/temp_folder.h"

namespace {

using llmsim::core::InputError;
using llmsim::hw::Efficiencies;
using llmsim::loader::efficiency_donor;
using llmsim::loader::list_hardware_presets;
using llmsim::loader::load_hardware;

/// Every number of two efficiency blocks, compared exactly (a carried block is the donor's
/// own doubles, not a re-parsed copy that could round differently).
void check_same_numbers(const Efficiencies& carried, const Efficiencies& donor) {
  CHECK(carried.roofline_exponent == donor.roofline_exponent);
  CHECK(carried.per_layer_overhead_s == donor.per_layer_overhead_s);
  for (const llmsim::hw::OperatorInfo& info : llmsim::hw::kOperators) {
    CAPTURE(info.name);
    const llmsim::hw::OperatorEfficiency& a = carried[info.op];
    const llmsim::hw::OperatorEfficiency& b = donor[info.op];
    CHECK(a.compute == b.compute);
    CHECK(a.bandwidth == b.bandwidth);
    CHECK(a.latency_s == b.latency_s);
    CHECK(a.per_block_s == b.per_block_s);
  }
}

/// The message (after the file name) load_hardware throws for `path`, or "" when it loads.
std::string error_after_file(const std::string& path) {
  try {
    load_hardware(path);
  } catch (const InputError& error) {
    const std::string what = error.what();
    return what.rfind(path, 0) == 0 ? what.substr(path.size()) : what;
  }
  return "";
}

/// A hardware YAML (datasheet keys of a small test GPU) whose efficiency block is `efficiency`
/// (lines indented by two). The `efficiency:` key is on line 12.
std::string gpu_yaml(const std::string& id, const std::string& efficiency) {
  return "id: " + id + R"(
name: "X"
source: "test"
peak_tflops: {bf16: 100}
hbm_bandwidth_tb_per_s: 1
hbm_capacity_gib: 40
interconnect_bandwidth_gb_per_s: 10
interconnect_latency_us: 1
tdp_w: 300
idle_power_w: 50
price_per_gpu_hour_usd: 1
efficiency:
)" + efficiency;
}

const std::string kOwnBlock =
    "  source: \"calibrated (test)\"\n"
    "  per_layer_overhead_us: 3\n"
    "  roofline_exponent: 2\n"
    "  gemm: {compute: 0.5, bandwidth: 0.6, latency_us: 7}\n";

/// Points $LLMSIM_CONFIG_DIR at a folder of test presets for the lifetime of the guard, and
/// restores it after (the loader reads it on every lookup: loader/preset_paths.h).
class ConfigDirGuard {
 public:
  explicit ConfigDirGuard(const std::filesystem::path& dir) {
    if (const char* old = std::getenv("LLMSIM_CONFIG_DIR")) previous_ = old;
    ::setenv("LLMSIM_CONFIG_DIR", dir.c_str(), 1);
  }
  ConfigDirGuard(const ConfigDirGuard&) = delete;
  ConfigDirGuard& operator=(const ConfigDirGuard&) = delete;
  ~ConfigDirGuard() {
    if (previous_) {
      ::setenv("LLMSIM_CONFIG_DIR", previous_->c_str(), 1);
    } else {
      ::unsetenv("LLMSIM_CONFIG_DIR");
    }
  }

 private:
  std::optional<std::string> previous_;
};

/// Writes <test temp>/carried-presets/hardware/<id>.yaml; returns its path.
std::string write_preset(const std::string& id, const std::string& efficiency) {
  return llmsim::testing::write_test_file("carried-presets/hardware", id + ".yaml", gpu_yaml(id, efficiency));
}

std::filesystem::path test_config_dir() {
  return llmsim::testing::process_temp_folder() / "carried-presets";
}

}  // namespace

TEST_CASE("every shipped carrier loads exactly its donor's efficiencies; every donor has its own fit") {
  // Which presets carry which (configs/README.md): a preset that gains or loses its own
  // calibration must change this list on purpose.
  const std::map<std::string, std::string> expected_donor = {
      {"a100-pcie-80gb", "a100-sxm-80gb"}, {"b200", "h100-sxm"},   {"b300", "h100-sxm"},
      {"gb200", "h100-sxm"},               {"gb300", "h100-sxm"},  {"h100-pcie", "h100-sxm"},
      {"h20", "h100-sxm"},                 {"h200", "h100-sxm"},   {"mi300x", "h100-sxm"},
      {"mi325x", "h100-sxm"},              {"mi355x", "h100-sxm"}, {"rtx-pro-6000", "h100-sxm"},
  };
  const std::vector<std::string> presets = list_hardware_presets();
  REQUIRE(presets.size() >= expected_donor.size() + 2);
  int carriers = 0;
  for (const std::string& id : presets) {
    CAPTURE(id);
    const std::string donor = efficiency_donor(id);
    const auto expected = expected_donor.find(id);
    CHECK(donor == (expected == expected_donor.end() ? "" : expected->second));
    const llmsim::hw::HardwareSpec gpu = load_hardware(id);
    if (donor.empty()) {
      CHECK(gpu.efficiency_source.rfind("carried over", 0) != 0);  // an own block says it is one
      continue;
    }
    ++carriers;
    CHECK(std::find(presets.begin(), presets.end(), donor) != presets.end());
    CHECK(efficiency_donor(donor).empty());
    const llmsim::hw::HardwareSpec from = load_hardware(donor);
    // The donor's block is a fit of its own, not the documented defaults.
    CHECK(from.efficiency_source.rfind("calibrated", 0) == 0);
    check_same_numbers(gpu.efficiency, from.efficiency);
    // The run header labels it carried (efficiency_label: the "carried over" prefix).
    CHECK(gpu.efficiency_source.rfind("carried over from the " + donor + " calibration (", 0) == 0);
    // Only the efficiency block is the donor's: the datasheet facts stay this GPU's.
    CHECK(gpu.id == id);
    CHECK(gpu.name != from.name);
  }
  CHECK(carriers == static_cast<int>(expected_donor.size()));
}

TEST_CASE("a hardware file given by path may carry a shipped preset by id") {
  const std::string path = llmsim::testing::write_temp_file(
      "user-gpu.yaml", gpu_yaml("user-gpu", "  carried_from: h100-sxm\n  reason: \"my card, not measured\"\n"));
  const llmsim::hw::HardwareSpec gpu = load_hardware(path);
  check_same_numbers(gpu.efficiency, load_hardware("h100-sxm").efficiency);
  CHECK(gpu.efficiency_source == "carried over from the h100-sxm calibration (my card, not measured)");
  CHECK(gpu.peak.bf16_flops_per_s == 100e12);  // its own datasheet peaks
  CHECK(efficiency_donor(path) == "h100-sxm");
}

TEST_CASE("a carried reference is refused when unknown, chained, or has keys beside it") {
  const auto refused = [](const std::string& name, const std::string& efficiency) {
    return error_after_file(llmsim::testing::write_temp_file(name, gpu_yaml(name, efficiency)));
  };
  const std::string reason = "  reason: \"test\"\n";
  CHECK(refused("unknown.yaml", "  carried_from: h300x\n" + reason)
            .rfind(":13: efficiency.carried_from: unknown hardware preset \"h300x\"", 0) == 0);
  // A path is not a preset id, even one that names a preset's file.
  CHECK(refused("by-path.yaml", "  carried_from: configs/hardware/h100-sxm.yaml\n" + reason)
            .rfind(":13: efficiency.carried_from: unknown hardware preset", 0) == 0);
  CHECK(refused("chain.yaml", "  carried_from: h200\n" + reason) ==
        ":13: efficiency.carried_from: h200 itself carries its efficiency block (from h100-sxm): "
        "name a preset with its own block (carrying is one level)");
  CHECK(refused("extra.yaml", "  carried_from: h100-sxm\n" + reason +
                                  "  gemm: {compute: 0.5, bandwidth: 0.6, latency_us: 7}\n") ==
        ":15: efficiency.gemm: beside carried_from: the block is h100-sxm's whole; to differ from "
        "it in any entry, write the block out in full (no carried_from)");
  CHECK(refused("extra-source.yaml", "  source: \"x\"\n  carried_from: h100-sxm\n" + reason)
            .rfind(":13: efficiency.source: beside carried_from", 0) == 0);
  CHECK(refused("typo.yaml", "  carried_from: h100-sxm\n" + reason + "  reasons: \"y\"\n")
            .rfind(":15: efficiency.reasons: unknown key", 0) == 0);
  CHECK(refused("no-reason.yaml", "  carried_from: h100-sxm\n") ==
        ":13: efficiency: missing required key \"reason\"");
  CHECK(refused("empty-reason.yaml", "  carried_from: h100-sxm\n  reason: \"\"\n")
            .rfind(":14: efficiency.reason: expected a string, got \"\"", 0) == 0);
  CHECK(refused("list.yaml", "  carried_from: [h100-sxm]\n" + reason)
            .rfind(":13: efficiency.carried_from: expected a string", 0) == 0);
}

TEST_CASE("cycles and self-references are refused without following them; donor errors name the donor") {
  write_preset("fitted", kOwnBlock);
  write_preset("carrier", "  carried_from: fitted\n  reason: \"test\"\n");
  write_preset("self", "  carried_from: self\n  reason: \"test\"\n");
  write_preset("cycle-a", "  carried_from: cycle-b\n  reason: \"test\"\n");
  write_preset("cycle-b", "  carried_from: cycle-a\n  reason: \"test\"\n");
  const std::string broken = write_preset("broken", "  source: \"x\"\n  per_layer_overhead_us: -1\n");
  write_preset("carries-broken", "  carried_from: broken\n  reason: \"test\"\n");
  const ConfigDirGuard guard(test_config_dir());

  const llmsim::hw::HardwareSpec carrier = load_hardware("carrier");
  check_same_numbers(carrier.efficiency, load_hardware("fitted").efficiency);
  CHECK(carrier.efficiency.per_layer_overhead_s == doctest::Approx(3e-6));
  CHECK(carrier.efficiency[llmsim::hw::Operator::gemm].latency_s == doctest::Approx(7e-6));

  const auto error_of_preset = [](const std::string& id) {
    try {
      load_hardware(id);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  const std::string self = error_of_preset("self");
  CHECK(self.find("self.yaml:13: efficiency.carried_from: self itself carries its efficiency block (from self)") !=
        std::string::npos);
  const std::string cycle = error_of_preset("cycle-a");
  CHECK(cycle.find("cycle-a.yaml:13: efficiency.carried_from: cycle-b itself carries its efficiency block (from "
                   "cycle-a)") != std::string::npos);
  // A donor's own bad value is reported at the donor's file and line.
  CHECK(error_of_preset("carries-broken").rfind(broken + ":14: efficiency.per_layer_overhead_us:", 0) == 0);
}
