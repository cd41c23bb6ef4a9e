#include "app/hardware_yaml_writer.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>
#include <string>

#include "hw/operator.h"

namespace llmsim::app {
namespace {

/// A YAML double-quoted string.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void peak_line(std::ostringstream& out, const char* key, const std::optional<double>& peak) {
  if (peak) out << fmt::format("  {}: {}\n", key, *peak / 1e12);
}

/// One operator's entry, e.g. `  gemm:              {compute: 0.7051, bandwidth: 0.8718,
/// latency_us: 5.80}`, with the keys the loader requires of it.
std::string operator_line(const hw::OperatorInfo& info, const hw::OperatorEfficiency& e) {
  std::string fields;
  if (info.counts_flops) fields += fmt::format("compute: {:.4f}, ", e.compute);
  fields += fmt::format("bandwidth: {:.4f}, latency_us: {:.2f}", e.bandwidth, e.latency_s * 1e6);
  if (info.counts_blocks) fields += fmt::format(", per_block_ns: {:.2f}", e.per_block_s * 1e9);
  return fmt::format("  {:<18} {{{}}}\n", std::string(info.name) + ":", fields);
}

}  // namespace

std::string hardware_yaml(const hw::HardwareSpec& spec, const std::string& efficiency_comment) {
  std::ostringstream out;
  out << "# " << spec.name << " - written by `llmsim calibrate`; datasheet facts copied from the\n"
      << "# input preset, efficiency block fitted (see its comments).\n";
  out << "id: " << spec.id << "\n";
  out << "name: " << quoted(spec.name) << "\n";
  if (!spec.aliases.empty()) {
    out << "aliases: [";
    for (std::size_t i = 0; i < spec.aliases.size(); ++i) {
      out << (i ? ", " : "") << quoted(spec.aliases[i]);
    }
    out << "]\n";
  }
  out << "source: " << quoted(spec.source) << "\n";
  out << "peak_tflops:\n";
  peak_line(out, "fp32", spec.peak.fp32_flops_per_s);
  peak_line(out, "tf32", spec.peak.tf32_flops_per_s);
  peak_line(out, "bf16", spec.peak.bf16_flops_per_s);
  peak_line(out, "fp8", spec.peak.fp8_flops_per_s);
  peak_line(out, "int8", spec.peak.int8_ops_per_s);
  peak_line(out, "int4", spec.peak.int4_ops_per_s);
  peak_line(out, "fp4", spec.peak.fp4_flops_per_s);
  peak_line(out, "fp6", spec.peak.fp6_flops_per_s);
  if (spec.peak.fp4_flops_per_s && !(spec.peak.fp4_runs_nvfp4 && spec.peak.fp4_runs_mxfp4)) {
    out << "fp4_formats: [" << (spec.peak.fp4_runs_nvfp4 ? "nvfp4" : "mxfp4") << "]\n";
  }
  out << fmt::format("hbm_bandwidth_tb_per_s: {}\n", spec.hbm_bandwidth_bytes_per_s / 1e12);
  out << fmt::format("hbm_capacity_gib: {}\n",
                     spec.hbm_capacity_bytes / (1024.0 * 1024.0 * 1024.0));
  out << fmt::format("interconnect_bandwidth_gb_per_s: {}\n",
                     spec.interconnect_bandwidth_bytes_per_s / 1e9);
  out << fmt::format("interconnect_latency_us: {}\n", spec.interconnect_latency_s * 1e6);
  const hw::Fabric& fabric = spec.fabric;
  if (fabric.scale_up_domain_gpus > 0) {
    out << fmt::format("scale_up_domain_gpus: {}\n", fabric.scale_up_domain_gpus);
  }
  if (fabric.has_scale_out()) {
    out << fmt::format("scale_out_bandwidth_gb_per_s: {}\n", fabric.scale_out_bandwidth_bytes_per_s / 1e9);
    out << fmt::format("scale_out_latency_us: {}\n", fabric.scale_out_latency_s * 1e6);
  }
  if (spec.sm_count > 0) out << fmt::format("sm_count: {}\n", spec.sm_count);
  out << fmt::format("tdp_w: {}\n", spec.tdp_w);
  out << fmt::format("idle_power_w: {}\n", spec.idle_power_w);
  out << fmt::format("price_per_gpu_hour_usd: {}\n", spec.price_per_gpu_hour_usd);
  // Always the block in full, with its own source: a fitted preset is a donor others may
  // carry (configs/README.md, "Carrying another preset's calibration"), never a carrier, even
  // when the --hardware it started from carried another preset's block.
  const hw::Efficiencies& e = spec.efficiency;
  out << "efficiency:\n";
  std::istringstream comment(efficiency_comment);
  for (std::string line; std::getline(comment, line);) out << "  # " << line << "\n";
  out << "  source: " << quoted(spec.efficiency_source) << "\n";
  out << fmt::format("  per_layer_overhead_us: {:.3f}\n", e.per_layer_overhead_s * 1e6);
  out << fmt::format("  roofline_exponent: {}\n", e.roofline_exponent);
  for (const hw::OperatorInfo& info : hw::kOperators) out << operator_line(info, e[info.op]);
  return out.str();
}

}  // namespace llmsim::app
