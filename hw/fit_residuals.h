// Residuals of a calibration: how far predicted operator times are from measured ones.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hw/hardware_spec.h"
#include "hw/profile_sample.h"

namespace llmsim::hw {

/// Relative errors e = predicted / measured - 1 of a set of measurements.
struct ResidualSummary {
  std::string label;
  std::size_t count = 0;
  double median_abs_error = 0.0;  ///< median of |e|
  double worst_error = 0.0;       ///< the e with the largest |e| (signed)
  std::string worst_where;        ///< which measurement, e.g. "Llama-2-7b-hf tp 4 tokens 264"
  double share_over_25_percent = 0.0;  ///< fraction of measurements with |e| > 0.25
};

/// Summary of relative errors `errors` with `where[i]` naming errors[i]; count 0 when empty.
ResidualSummary summarize_errors(const std::string& label, const std::vector<double>& errors,
                                 const std::vector<std::string>& where);

/// One summary per measured kernel name (ProfileSample::name), in order of first appearance.
std::vector<ResidualSummary> residuals_by_operator(const std::vector<ProfileSample>& samples,
                                                   const HardwareSpec& hardware);

/// Whole layers: the GEMM and elementwise samples of one (source, model, tp, tokens),
/// predicted and measured times summed, for points that have at least four GEMM rows
/// (grouped-GEMM benchmark rows, ProfileSample::groups > 0, belong to no layer).
ResidualSummary layer_residuals(const std::vector<ProfileSample>& samples,
                                const HardwareSpec& hardware, const std::string& label);

/// "model tp P tokens T [context C]" (or "groups G x rows R") for messages.
std::string describe_sample(const ProfileSample& sample);

}  // namespace llmsim::hw
