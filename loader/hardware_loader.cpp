#include "loader/hardware_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/input_error.h"
#include "core/message_text.h"
#include "hw/efficiencies.h"
#include "hw/operator.h"
#include "hw/overlap_schedule.h"
#include "loader/preset_resolver.h"
#include "loader/yaml_map.h"

namespace llmsim::loader {
namespace {

constexpr double kTera = 1e12;
constexpr double kGiga = 1e9;
constexpr double kGibibyte = 1024.0 * 1024.0 * 1024.0;
constexpr double kMicro = 1e-6;
/// Bound on scale_up_domain_gpus: far above any NVLink domain sold (GB200 NVL72: 72; NVIDIA's
/// NVLink Switch System spec: up to 576 GPUs), low enough that it stays an int.
constexpr std::int64_t kMaxDomainGpus = 576;

std::optional<double> optional_tflops(YamlMap& peaks, const std::string& key) {
  const auto value = peaks.maybe_number(key);
  if (!value) return std::nullopt;
  return peaks.require_positive(key, *value) * kTera;
}

/// One operator's entry, e.g. `gemm: {compute: 0.7, bandwidth: 0.8, latency_us: 5.8}`: every
/// key the operator takes is required (`compute` where it counts FLOPs, `per_block_ns` where
/// its items count blocks), any other key is unknown.
hw::OperatorEfficiency read_operator(YamlMap& map, const hw::OperatorInfo& info) {
  hw::OperatorEfficiency e;
  if (info.counts_flops) e.compute = map.require_fraction("compute", map.required_number("compute"));
  e.bandwidth = map.require_fraction("bandwidth", map.required_number("bandwidth"));
  e.latency_s = map.require_non_negative("latency_us", map.required_number("latency_us")) * kMicro;
  if (info.counts_blocks) {
    e.per_block_s =
        map.require_non_negative("per_block_ns", map.required_number("per_block_ns")) * 1e-9;
  }
  map.finish();
  return e;
}

/// The `efficiency:` block (configs/README.md): the fixed costs, the roofline exponent, and
/// one entry per operator by name (hw::kOperators); an operator left out keeps its
/// documented defaults (hw::OperatorInfo::defaults).
hw::Efficiencies read_efficiency(YamlMap& map, std::string& source) {
  hw::Efficiencies eff;
  source = map.required_string("source");
  eff.per_layer_overhead_s =
      map.require_non_negative("per_layer_overhead_us", map.required_number("per_layer_overhead_us")) * kMicro;
  if (map.has("per_iteration_overhead_us")) {
    map.fail("per_iteration_overhead_us",
             "host time per iteration belongs to the serving engine, not the GPU: set engine.kind "
             "(configs/engines/<kind>.yaml, host.iteration_us) and remove this key");
  }
  eff.roofline_exponent = map.optional_number("roofline_exponent", 0.0);
  if (!(eff.roofline_exponent == 0.0 || eff.roofline_exponent >= 1.0)) {
    map.fail("roofline_exponent", "must be 0 (max) or >= 1");
  }
  for (const hw::OperatorInfo& info : hw::kOperators) {
    const std::string key(info.name);
    if (std::optional<YamlMap> op = map.optional_map(key)) eff[info.op] = read_operator(*op, info);
  }
  // No profile calibrates DSA's lightning indexer: unnamed, it takes this GPU's attention entries.
  if (!map.has("attention_indexer")) {
    eff[hw::Operator::attention_indexer] = hw::indexer_efficiency_from_similar_kernels(eff);
  }
  map.finish();
  return eff;
}

/// The key naming the preset whose efficiency block a hardware file carries, and the key
/// saying why (configs/README.md, "Carrying another preset's calibration").
constexpr const char* kCarriedFrom = "carried_from";
constexpr const char* kCarryReason = "reason";

/// A hardware file as read: its spec, and the preset id its efficiency block is carried from
/// ("" when the block is its own).
struct HardwareFile {
  hw::HardwareSpec spec;
  std::string carried_from;
};

/// Whether a file is read for a scenario (it may carry a donor's block) or as the donor of
/// another file (its own block is loaded; a carried one is only named, never followed).
enum class Role { gpu, donor };

HardwareFile read_hardware_file(const std::string& path, Role role);

/// `efficiency: {carried_from: ID, reason: "..."}`: reads the reference and checks that
/// nothing else sits beside it (the donor's block is taken whole; a GPU that differs from it
/// in any entry writes its block out in full). Returns the donor's preset id.
std::string read_carry_reference(YamlMap& map, std::string& reason) {
  std::string donor = map.required_string(kCarriedFrom);
  reason = map.required_string(kCarryReason);  // non-empty: why this GPU carries it
  std::vector<std::string> block_keys = {"source", "per_layer_overhead_us", "roofline_exponent",
                                         "per_iteration_overhead_us"};
  for (const hw::OperatorInfo& info : hw::kOperators) block_keys.emplace_back(info.name);
  for (const std::string& key : block_keys) {
    if (map.has(key)) {
      map.fail(key, "beside carried_from: the block is " + donor +
                        "'s whole; to differ from it in any entry, write the block out in full "
                        "(no carried_from)");
    }
  }
  map.finish();
  return donor;
}

/// Loads the efficiency block of hardware preset `donor` (configs/hardware/<donor>.yaml, the
/// folder a scenario's `hardware:` id is looked up in) for the file whose efficiency `map`
/// carries it. One level: the donor must have its own block, so chains and cycles (a file
/// carrying itself included) are refused, as is an id that names no preset. Errors inside the
/// donor's file are reported at that file.
void load_carried_efficiency(YamlMap& map, const std::string& donor, const std::string& reason,
                             hw::HardwareSpec& spec) {
  const std::vector<std::string> presets = list_presets("hardware");
  if (std::find(presets.begin(), presets.end(), donor) == presets.end()) {
    std::string known;
    for (const std::string& id : presets) known += (known.empty() ? "" : ", ") + id;
    map.fail(kCarriedFrom, "unknown hardware preset " + core::quoted_excerpt(donor) +
                               " (a preset id, not a path; presets: " + known + ")");
  }
  const HardwareFile donor_file =
      read_hardware_file(resolve_preset(donor, "", "hardware", "hardware"), Role::donor);
  if (!donor_file.carried_from.empty()) {
    map.fail(kCarriedFrom, donor + " itself carries its efficiency block (from " +
                               donor_file.carried_from +
                               "): name a preset with its own block (carrying is one level)");
  }
  spec.efficiency = donor_file.spec.efficiency;
  // Starts "carried over": the run header and summary.json label it as carried
  // (sim/metrics/run_header.cpp, efficiency_label).
  spec.efficiency_source = "carried over from the " + donor + " calibration (" + reason + ")";
}

/// The optional fabric keys (configs/README.md): `scale_up_domain_gpus` (>= 1), and the
/// scale-out link `scale_out_bandwidth_gb_per_s` (> 0) with `scale_out_latency_us` (>= 0),
/// both or neither, and only with a domain to cross.
hw::Fabric read_fabric(YamlMap& map) {
  hw::Fabric fabric;
  if (map.has("scale_up_domain_gpus")) {
    const std::int64_t gpus =
        map.require_positive("scale_up_domain_gpus", map.required_int("scale_up_domain_gpus"));
    if (gpus > kMaxDomainGpus) {
      map.fail("scale_up_domain_gpus", "expected at most " + std::to_string(kMaxDomainGpus) +
                                           ", got " + std::to_string(gpus));
    }
    fabric.scale_up_domain_gpus = static_cast<int>(gpus);
  }
  const bool has_bandwidth = map.has("scale_out_bandwidth_gb_per_s");
  const bool has_latency = map.has("scale_out_latency_us");
  if (has_bandwidth) {
    fabric.scale_out_bandwidth_bytes_per_s =
        map.require_positive("scale_out_bandwidth_gb_per_s",
                             map.required_number("scale_out_bandwidth_gb_per_s")) *
        kGiga;
    if (!has_latency) map.fail("scale_out_bandwidth_gb_per_s", "needs scale_out_latency_us beside it");
    if (fabric.scale_up_domain_gpus == 0) {
      map.fail("scale_out_bandwidth_gb_per_s", "needs scale_up_domain_gpus: the domain it links");
    }
  }
  if (has_latency) {
    fabric.scale_out_latency_s =
        map.require_non_negative("scale_out_latency_us", map.required_number("scale_out_latency_us")) * kMicro;
    if (!has_bandwidth) map.fail("scale_out_latency_us", "needs scale_out_bandwidth_gb_per_s beside it");
  }
  return fabric;
}

/// `fp4_formats` (configs/README.md): which 4-bit formats the `fp4` peak multiplies, a
/// non-empty list of nvfp4 and mxfp4 without repeats; only beside an `fp4` peak. Absent:
/// both (Blackwell).
void read_fp4_formats(YamlMap& map, hw::PeakFlops& peak) {
  if (!map.has("fp4_formats")) return;
  const std::vector<std::string> formats = map.optional_string_list("fp4_formats");
  if (!peak.fp4_flops_per_s) map.fail("fp4_formats", "needs peak_tflops.fp4: the peak these formats run at");
  if (formats.empty()) map.fail("fp4_formats", "expected a non-empty list of nvfp4, mxfp4");
  peak.fp4_runs_nvfp4 = false;
  peak.fp4_runs_mxfp4 = false;
  for (const std::string& format : formats) {
    bool& runs = format == "nvfp4" ? peak.fp4_runs_nvfp4 : peak.fp4_runs_mxfp4;
    if (format != "nvfp4" && format != "mxfp4") {
      map.fail("fp4_formats", "expected nvfp4 or mxfp4, got \"" + format + "\"");
    }
    if (runs) map.fail("fp4_formats", "lists " + format + " twice");
    runs = true;
  }
}

HardwareFile read_hardware_file(const std::string& path, Role role) {
  auto origin = std::make_shared<YamlOrigin>();
  origin->file = path;
  YamlMap map(parse_yaml_file(path), origin, "");
  hw::HardwareSpec spec;
  spec.id = map.required_string("id");
  spec.name = map.required_string("name");
  spec.aliases = map.optional_string_list("aliases");
  spec.source = map.required_string("source");

  YamlMap peaks = map.required_map("peak_tflops");
  spec.peak.fp32_flops_per_s = optional_tflops(peaks, "fp32");
  spec.peak.tf32_flops_per_s = optional_tflops(peaks, "tf32");
  spec.peak.bf16_flops_per_s = optional_tflops(peaks, "bf16");
  spec.peak.fp8_flops_per_s = optional_tflops(peaks, "fp8");
  spec.peak.int8_ops_per_s = optional_tflops(peaks, "int8");
  spec.peak.int4_ops_per_s = optional_tflops(peaks, "int4");
  spec.peak.fp4_flops_per_s = optional_tflops(peaks, "fp4");  // dense NVFP4/MXFP4 (configs/README.md)
  spec.peak.fp6_flops_per_s = optional_tflops(peaks, "fp6");  // dense MXFP6 (configs/README.md)
  if (!spec.peak.bf16_flops_per_s) peaks.fail_here("missing required key \"bf16\"");
  peaks.finish();
  read_fp4_formats(map, spec.peak);

  spec.hbm_bandwidth_bytes_per_s =
      map.require_positive("hbm_bandwidth_tb_per_s", map.required_number("hbm_bandwidth_tb_per_s")) * kTera;
  spec.hbm_capacity_bytes =
      map.require_positive("hbm_capacity_gib", map.required_number("hbm_capacity_gib")) * kGibibyte;
  spec.interconnect_bandwidth_bytes_per_s =
      map.require_positive("interconnect_bandwidth_gb_per_s",
                           map.required_number("interconnect_bandwidth_gb_per_s")) *
      kGiga;
  spec.interconnect_latency_s =
      map.require_non_negative("interconnect_latency_us", map.required_number("interconnect_latency_us")) * kMicro;
  spec.fabric = read_fabric(map);
  // Optional: only two-batch overlap reads it (DeepEP's normal kernels hold 20 of them,
  // hw/overlap_schedule.h), so a GPU must have more than that; the bound keeps it an int.
  if (map.has("sm_count")) {
    const std::int64_t sms = map.required_int("sm_count");
    if (sms <= hw::kDeepEpNormalKernelSms || sms > 100000) {
      map.fail("sm_count", "expected the GPU's streaming multiprocessors, an integer in (" +
                               std::to_string(hw::kDeepEpNormalKernelSms) + ", 100000] (more than DeepEP's " +
                               std::to_string(hw::kDeepEpNormalKernelSms) + " communication SMs), got " +
                               std::to_string(sms));
    }
    spec.sm_count = static_cast<int>(sms);
  }
  spec.tdp_w = map.require_positive("tdp_w", map.required_number("tdp_w"));
  spec.idle_power_w = map.require_non_negative("idle_power_w", map.required_number("idle_power_w"));
  if (spec.idle_power_w > spec.tdp_w) map.fail("idle_power_w", "must not exceed tdp_w");
  spec.price_per_gpu_hour_usd =
      map.require_non_negative("price_per_gpu_hour_usd", map.required_number("price_per_gpu_hour_usd"));
  YamlMap efficiency = map.required_map("efficiency");
  std::string carried_from;
  if (efficiency.has(kCarriedFrom)) {
    std::string reason;
    carried_from = read_carry_reference(efficiency, reason);
    // A donor's own carry is named to the file that wanted it, never followed: no chains.
    if (role == Role::gpu) load_carried_efficiency(efficiency, carried_from, reason, spec);
  } else {
    spec.efficiency = read_efficiency(efficiency, spec.efficiency_source);
  }
  map.finish();
  return {std::move(spec), std::move(carried_from)};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

hw::HardwareSpec load_hardware(const std::string& id_or_path, const std::string& base_dir) {
  return read_hardware_file(resolve_preset(id_or_path, base_dir, "hardware", "hardware"), Role::gpu).spec;
}

std::string efficiency_donor(const std::string& id_or_path, const std::string& base_dir) {
  return read_hardware_file(resolve_preset(id_or_path, base_dir, "hardware", "hardware"), Role::gpu)
      .carried_from;
}

std::vector<std::string> list_hardware_presets() { return list_presets("hardware"); }

hw::HardwareSpec find_hardware(const std::string& id_or_device_name) {
  const auto ids = list_hardware_presets();
  if (std::find(ids.begin(), ids.end(), id_or_device_name) != ids.end()) {
    return load_hardware(id_or_device_name);
  }
  const std::string wanted = lower(id_or_device_name);
  // Longest matching alias wins, so "H100 PCIe" is not taken for "H100".
  std::size_t best_length = 0;
  std::string best_id;
  for (const auto& id : ids) {
    const hw::HardwareSpec spec = load_hardware(id);
    std::vector<std::string> names = spec.aliases;
    names.push_back(spec.name);
    for (const auto& name : names) {
      const std::string alias = lower(name);
      if (!alias.empty() && wanted.find(alias) != std::string::npos && alias.size() > best_length) {
        best_length = alias.size();
        best_id = id;
      }
    }
  }
  if (best_id.empty()) {
    throw core::InputError("unknown GPU \"" + id_or_device_name +
                           "\": no hardware preset id, name or alias matches it");
  }
  return load_hardware(best_id);
}

}  // namespace llmsim::loader
