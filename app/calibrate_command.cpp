// `llmsim calibrate`: fit the step-time model's efficiencies and fixed times to measured
// operator times, report residuals per operator, and write a hardware YAML (DESIGN.md
// section 3; the fit is hw/efficiency_fit.h, the formats hw/profile_reader.h).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/hardware_yaml_writer.h"
#include "core/input_error.h"
#include "hw/efficiency_fit.h"
#include "hw/fit_residuals.h"
#include "hw/layer_gemms.h"
#include "hw/profile_reader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace llmsim::app {
namespace {

struct CalibrateOptions {
  std::string hardware;
  std::vector<std::string> profiles;
  std::vector<std::string> checks;
  std::string model;
  double roofline_exponent = 2.0;
  std::string out;
};

std::vector<hw::ProfileSample> read_all(const std::vector<std::string>& paths,
                                        const core::ModelSpec* model) {
  std::vector<hw::ProfileSample> samples;
  for (const std::string& path : paths) {
    std::vector<hw::ProfileSample> more = hw::read_profile(path, model, hw::Precision{});
    samples.insert(samples.end(), more.begin(), more.end());
  }
  return samples;
}

std::string percent(double fraction) { return fmt::format("{:+.1f}%", 100.0 * fraction); }

void print_summary_line(const hw::ResidualSummary& s) {
  if (s.count == 0) return;
  fmt::print("  {:<22} {:>6} {:>9.1f}% {:>9} {:>7.1f}%  {}\n", s.label, s.count,
             100.0 * s.median_abs_error, percent(s.worst_error), 100.0 * s.share_over_25_percent,
             s.worst_where);
}

void print_residuals(const std::string& title, const std::vector<hw::ProfileSample>& samples,
                     const hw::HardwareSpec& hardware) {
  fmt::print("\n{}\n", title);
  fmt::print("  {:<22} {:>6} {:>10} {:>9} {:>8}  {}\n", "operator", "n", "median|e|", "worst e",
             ">25%", "worst at");
  for (const hw::ResidualSummary& s : hw::residuals_by_operator(samples, hardware)) {
    print_summary_line(s);
  }
  print_summary_line(hw::layer_residuals(samples, hardware, "layer (gemm+elemwise)"));
}

bool is_expert_row(const hw::ProfileSample& sample) {
  return hw::is_routed_expert_operator(sample.name) || hw::is_grouped_expert_operator(sample.name);
}

/// What the fit did for a MoE model's routed experts, one line each. The step-time model
/// prices a MoE layer's GEMMs, routed experts included, as one gemm item (hw/operator.h), so
/// the routed-expert rows are fitted into gemm.compute, gemm.bandwidth and gemm.latency_us
/// with the plain GEMM rows; with three or more of them, what they alone would give is
/// reported (not written), to show whether one GEMM efficiency serves both.
std::vector<std::string> routed_expert_notes(const core::ModelSpec* model,
                                             const std::vector<hw::ProfileSample>& samples,
                                             const hw::EfficiencyFit& fit,
                                             const hw::HardwareSpec& start,
                                             const hw::FitOptions& options) {
  if (model == nullptr || !model->is_moe()) return {};
  std::vector<hw::ProfileSample> expert_rows;
  std::size_t plain_rows = 0;
  for (const hw::ProfileSample& s : samples) {
    if (is_expert_row(s)) {
      expert_rows.push_back(s);
    } else if (s.work.op == hw::Operator::gemm) {
      ++plain_rows;
    }
  }
  const auto gemm = std::find_if(fit.operators.begin(), fit.operators.end(),
                                 [](const hw::OperatorFit& c) { return c.op == hw::Operator::gemm; });
  const bool gemm_fitted = gemm != fit.operators.end() && gemm->fitted;
  std::vector<std::string> notes;
  if (expert_rows.empty()) {
    notes.push_back(
        gemm_fitted
            ? fmt::format("routed experts of {}: no moe_* rows; the step-time model prices them with the "
                          "gemm efficiencies, fitted here to {} plain GEMM rows only (not checked on "
                          "grouped GEMMs)",
                          model->id, plain_rows)
            : fmt::format("routed experts of {}: no moe_* rows; priced with {}'s gemm efficiencies, kept "
                          "as they were",
                          model->id, start.id));
    return notes;
  }
  notes.push_back(fmt::format(
      "routed experts of {}: {} moe_* rows fitted into gemm.compute, gemm.bandwidth and "
      "gemm.latency_us with {} plain GEMM rows (the step-time model prices a MoE layer's GEMMs, "
      "routed experts included, as one gemm item){}",
      model->id, expert_rows.size(), plain_rows, gemm_fitted ? "" : "; too few to fit"));
  hw::FitOptions alone = options;
  alone.plan = {hw::default_fit_plan().front()};  // gemm
  const hw::EfficiencyFit expert_fit = hw::fit_efficiencies(expert_rows, start, alone);
  for (const hw::FittedParameter& p : expert_fit.operators.front().parameters) {
    notes.push_back(fmt::format("  the moe_* rows alone would give {} {:.4g}{} (not written)", p.name,
                                p.value, p.at_bound ? " (at its bound)" : ""));
  }
  return notes;
}

/// The comment block written above the fitted efficiencies.
std::string fit_comment(const CalibrateOptions& options, const hw::EfficiencyFit& fit,
                        const std::vector<hw::ProfileSample>& samples,
                        const hw::HardwareSpec& calibrated, const std::vector<std::string>& expert_notes) {
  std::string text = "Fitted by `llmsim calibrate` (weighted least squares on relative error,\n";
  text += fmt::format("roofline_exponent {}) to {} measured operator times from:\n",
                      options.roofline_exponent, samples.size());
  for (const std::string& path : options.profiles) {
    text += "  " + std::filesystem::path(path).lexically_normal().string() + "\n";
  }
  text += "Fit error (predicted / measured - 1): median |e|, worst e, share over 25%:\n";
  for (const hw::ResidualSummary& s : hw::residuals_by_operator(samples, calibrated)) {
    text += fmt::format("  {:<20} n {:>5}  {:>5.1f}%  {:>7}  {:>5.1f}%\n", s.label, s.count,
                        100.0 * s.median_abs_error, percent(s.worst_error),
                        100.0 * s.share_over_25_percent);
  }
  const hw::ResidualSummary layer = hw::layer_residuals(samples, calibrated, "layer");
  if (layer.count > 0) {
    text += fmt::format("  {:<20} n {:>5}  {:>5.1f}%  {:>7}  {:>5.1f}%  (worst: {})\n",
                        "layer (gemm+elemwise)", layer.count, 100.0 * layer.median_abs_error,
                        percent(layer.worst_error), 100.0 * layer.share_over_25_percent,
                        layer.worst_where);
  }
  for (const hw::OperatorFit& c : fit.operators) {
    if (c.samples > 0 && !c.fitted) {
      text += fmt::format("{}: too few samples ({}), kept the input values\n",
                          hw::to_string(c.op), c.samples);
    }
    if (c.samples == 0) {
      text += fmt::format("{}: no measurements, kept the input values{}\n", hw::to_string(c.op),
                          c.taken.empty() ? "" : " but:");
    }
    for (const hw::TiedParameter& tie : c.taken) {
      text += fmt::format("  {}.{} from the {} fit\n", hw::to_string(c.op),
                          hw::yaml_key(tie.parameter), hw::to_string(tie.from));
    }
  }
  for (const std::string& note : expert_notes) text += note + "\n";
  text += "per_layer_overhead_us is not fitted (kernel profiles carry no per-layer gaps); host\n";
  text += "time per iteration is the serving engine's (configs/engines/).";
  return text;
}

void run_calibrate(const CalibrateOptions& options) {
  const hw::HardwareSpec start = loader::load_hardware(options.hardware);
  std::optional<core::ModelSpec> model;
  if (!options.model.empty()) model = loader::load_model(options.model);
  const core::ModelSpec* model_ptr = model ? &*model : nullptr;
  if (!(options.roofline_exponent == 0.0 || options.roofline_exponent >= 1.0)) {
    throw core::InputError("--roofline-exponent: must be 0 (max) or >= 1");
  }
  const std::vector<hw::ProfileSample> samples = read_all(options.profiles, model_ptr);
  if (samples.empty()) throw core::InputError("--profile: the files hold no measurements");

  hw::FitOptions fit_options;
  fit_options.roofline_exponent = options.roofline_exponent;
  const hw::EfficiencyFit fit = hw::fit_efficiencies(samples, start, fit_options);
  hw::HardwareSpec calibrated = start;
  calibrated.efficiency = fit.efficiencies;

  fmt::print("calibrate {} from {} measurements in {} file(s), roofline exponent {}\n",
             start.id, samples.size(), options.profiles.size(), options.roofline_exponent);
  fmt::print("\nfitted parameters\n");
  for (const hw::OperatorFit& c : fit.operators) {
    if (!c.fitted) {
      fmt::print("  {:<18} {:>6} samples: not fitted, kept {}{}\n", hw::to_string(c.op), c.samples,
                 start.id, c.taken.empty() ? "" : " but");
    }
    for (const hw::FittedParameter& p : c.parameters) {
      fmt::print("  {:<18} {:>6} samples: {:<36} {:.4g}{}\n", hw::to_string(c.op), c.samples,
                 p.name, p.value, p.at_bound ? "  (at its bound)" : "");
    }
    for (const hw::TiedParameter& tie : c.taken) {
      fmt::print("  {:<18} {:>6} samples: {:<36} from the {} fit\n", hw::to_string(c.op),
                 c.samples, fmt::format("{}.{}", hw::to_string(c.op), hw::yaml_key(tie.parameter)),
                 hw::to_string(tie.from));
    }
  }
  const std::vector<std::string> expert_notes =
      routed_expert_notes(model_ptr, samples, fit, start, fit_options);
  if (!expert_notes.empty()) fmt::print("\n");
  for (const std::string& note : expert_notes) fmt::print("{}\n", note);
  print_residuals("residuals on the fitted measurements (e = predicted / measured - 1)", samples,
                  calibrated);
  for (const std::string& path : options.checks) {
    const std::vector<hw::ProfileSample> held_out = read_all({path}, model_ptr);
    print_residuals("held out (not fitted): " + path, held_out, calibrated);
  }

  if (!options.out.empty()) {
    std::vector<std::string> names;
    for (const std::string& path : options.profiles) {
      names.push_back(std::filesystem::path(path).lexically_normal().string());
    }
    calibrated.efficiency_source =
        fmt::format("calibrated by llmsim calibrate from {} measurements ({})", samples.size(),
                    fmt::join(names, ", "));
    std::ofstream out(options.out);
    if (!out) throw core::InputError(options.out, 0, "", "cannot write the file");
    out << hardware_yaml(calibrated, fit_comment(options, fit, samples, calibrated, expert_notes));
    fmt::print("\nwrote {}\n", options.out);
  }
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* command = app.add_subcommand(
      "calibrate", "fit the step-time model's efficiencies to measured operator times");
  command->add_option("--hardware", options->hardware, "hardware preset id or YAML to start from")
      ->required();
  command
      ->add_option("--profile", options->profiles,
                   "measurement files to fit: Vidur mlp.csv / attention rows, NCCL "
                   "all_reduce.csv, or op,tokens,context,batch,tp,measured_s[,weights] "
                   "(ops in hw/profile_reader.h, MoE and MLA included)")
      ->required();
  command->add_option("--check", options->checks,
                      "measurement files to report residuals on without fitting (held out)");
  command->add_option("--model", options->model,
                      "model preset or path, for profiles without a model shape of their own");
  command->add_option("--roofline-exponent", options->roofline_exponent,
                      "0 = max(compute, memory); k >= 1 = (c^k + m^k)^(1/k)")
      ->capture_default_str();
  command->add_option("--out", options->out, "write the calibrated hardware YAML here");
  command->callback([options] { run_calibrate(*options); });
}

}  // namespace llmsim::app
