// Serving validation: every set of app/serving_sets.h replayed, printed and summarised.
// Each set's file documents its source, setup and whether it calibrated anything.
#include "app/serving_validation.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "hw/fit_residuals.h"

namespace llmsim::app {
namespace {

/// The set's median |error| and worst error (hw::summarize_errors, as calibration reports).
hw::ResidualSummary summarize(const std::string& name, const std::vector<MetricResult>& metrics) {
  std::vector<double> errors;
  std::vector<std::string> labels;
  for (const MetricResult& m : metrics) {
    errors.push_back(m.error());
    labels.push_back(m.label);
  }
  return hw::summarize_errors(name, errors, labels);
}

void print_set(const SetResult& set) {
  fmt::print("{} ({})\n", set.name, set.calibration ? "CALIBRATION: a preset value was fitted to it" : "validation only");
  for (const MetricResult& m : set.metrics) {
    fmt::print("  {:<44} measured {:>11.4g}  predicted {:>11.4g}  {:>+7.1f}%\n", m.label, m.measured,
               m.predicted, 100.0 * m.error());
  }
  for (const std::string& skipped : set.skipped) fmt::print("  not replayed: {}\n", skipped);
  const hw::ResidualSummary summary = summarize(set.name, set.metrics);
  if (summary.count > 0) {
    fmt::print("  median |error| {:.1f}%  worst {:+.1f}% ({})\n\n", 100.0 * summary.median_abs_error,
               100.0 * summary.worst_error, summary.worst_where);
  }
}

}  // namespace

void run_serving_validation(const std::string& dir) {
  std::vector<SetResult> sets;
  for (const ServingSetRunner add_sets : kServingSets) add_sets(dir, sets);
  fmt::print("\nServing sets ({}): each replayed through the simulator with its engine preset\n\n", dir);
  std::vector<MetricResult> validation;
  for (const SetResult& set : sets) {
    print_set(set);
    if (!set.calibration) validation.insert(validation.end(), set.metrics.begin(), set.metrics.end());
  }
  fmt::print("validation sets together: {} metrics, median |error| {:.1f}%\n", validation.size(),
             100.0 * summarize("validation sets", validation).median_abs_error);
}

}  // namespace llmsim::app
