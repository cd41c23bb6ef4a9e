// Fitting Efficiencies to measured operator times, by operator name (DESIGN.md section 3,
// `llmsim calibrate`): weighted nonlinear least squares (Levenberg-Marquardt on Eigen) of
// the relative error (predicted - measured) / measured, one operator at a time, where the
// prediction is the step-time model's price of the measured work item (hw/item_pricer.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hw/hardware_spec.h"
#include "hw/operator.h"
#include "hw/profile_sample.h"

namespace llmsim::hw {

/// A parameter of an operator's efficiency (hw/operator_efficiency.h).
enum class EfficiencyParameter : std::uint8_t {
  compute,    ///< OperatorEfficiency::compute (operators that count FLOPs)
  bandwidth,  ///< OperatorEfficiency::bandwidth
  latency,    ///< OperatorEfficiency::latency_s, fitted and reported in us
  per_block,  ///< OperatorEfficiency::per_block_s, fitted and reported in ns
};
/// Its key under the operator in a hardware YAML: compute, bandwidth, latency_us, per_block_ns.
std::string_view yaml_key(EfficiencyParameter parameter);

/// A parameter of one operator set from the same parameter of another.
struct TiedParameter {
  EfficiencyParameter parameter = EfficiencyParameter::compute;
  Operator from = Operator::gemm;
};

/// How calibration fits one operator.
struct OperatorFitPlan {
  Operator op = Operator::gemm;
  /// Fitted to the operator's own samples, in this order, when there are at least as many
  /// samples as parameters (and at least one).
  std::vector<EfficiencyParameter> fitted;
  /// Set, before the operator's own fit, from operators fitted earlier in this run (a tie
  /// whose source was not fitted leaves the value as it was).
  std::vector<TiedParameter> tied;
};

/// The plan of `llmsim calibrate`, in fit order:
///   gemm              compute, bandwidth, latency; from every GEMM row, a MoE layer's
///                     router, shared and routed-expert (grouped) GEMMs included: the
///                     step-time model prices them all as the layer's one gemm item, so these
///                     three are also the MoE grouped-GEMM efficiency (there is no other)
///   elementwise       bandwidth, latency
///   attention_prefill compute, latency; bandwidth from gemm (prefill reads little memory)
///   attention_decode  bandwidth, latency, per_block; compute from attention_prefill
///                     (decode does few FLOPs)
///   allreduce         latency, bandwidth
///   lm_head           compute, bandwidth, latency; all three from gemm first (an LM head is
///                     a GEMM, and the profiles have no LM-head kernels)
std::vector<OperatorFitPlan> default_fit_plan();

struct FitOptions {
  /// Roofline exponent the fit assumes and writes (hw/roofline.h): 0 = max(c, m).
  double roofline_exponent = 2.0;
  int max_iterations = 200;
  std::vector<OperatorFitPlan> plan = default_fit_plan();
};

/// One fitted parameter, named `<operator>.<yaml key>` (e.g. "gemm.compute",
/// "attention_decode.per_block_ns"), in the unit its key says (efficiencies as fractions,
/// *_us in us, *_ns in ns).
struct FittedParameter {
  std::string name;
  double value = 0.0;
  bool at_bound = false;  ///< pinned at its bound (efficiency 1, time 0): the data want more
};

/// What the fit did for one operator.
struct OperatorFit {
  Operator op = Operator::gemm;
  std::size_t samples = 0;  ///< measurements of this operator (0: nothing fitted)
  bool fitted = false;      ///< false when there were fewer samples than parameters
  std::vector<FittedParameter> parameters;  ///< the fitted ones, when fitted
  std::vector<TiedParameter> taken;         ///< the tied parameters that were set
};

struct EfficiencyFit {
  Efficiencies efficiencies;  ///< the starting values with every fitted or tied parameter replaced
  std::vector<OperatorFit> operators;  ///< one per plan entry, in plan order
};

/// Predicted time of one sample, seconds: hw::price_item of its work at `hardware`'s
/// efficiencies for work.op, the compute peak being that of the sample's GEMM dtype for a
/// GEMM, else the 16-bit peak. Throws core::InputError when the hardware lacks that peak.
double predict_sample_s(const ProfileSample& sample, const HardwareSpec& hardware);

/// Fits `start`'s efficiencies to `samples` by options.plan. Efficiencies are kept in
/// (0, 1] and times >= 0 (a parameter that hits its bound is reported). Parameters the plan
/// does not fit or tie, and operators without samples, keep `start`'s values. A collective
/// is fitted only when the hardware has an interconnect bandwidth. The result's
/// roofline_exponent is options.roofline_exponent.
EfficiencyFit fit_efficiencies(const std::vector<ProfileSample>& samples,
                               const HardwareSpec& start, const FitOptions& options);

}  // namespace llmsim::hw
