// Levenberg-Marquardt (Marquardt 1963, with the diagonal scaling of JtJ) on residuals
// r_i = (predicted_i - measured_i) / measured_i, so a 10 us kernel and a 10 ms kernel weigh
// the same. Efficiencies enter as their inverses (time is linear in 1/efficiency) and fixed
// times in microseconds (per-block times in nanoseconds), so all parameters are of order 1.
// Bounds (1/efficiency >= 1, time >= 0) are kept by projecting each step onto them. One
// model serves every operator: hw/item_pricer.h's price of the measured item, with the
// fitted parameters in place of the operator's efficiencies.
#include "hw/efficiency_fit.h"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/input_error.h"
#include "hw/compute_dtypes.h"
#include "hw/item_pricer.h"
#include "hw/roofline.h"

namespace llmsim::hw {
namespace {

constexpr double kMicro = 1e-6;
constexpr double kNano = 1e-9;

/// The peak FLOP/s a sample's work runs at: its GEMM dtype for a GEMM, else 16-bit.
double compute_peak(const ProfileSample& sample, const HardwareSpec& hardware) {
  const Precision precision{sample.weights, core::DType::bf16, core::DType::bf16};
  const core::DType dtype =
      operator_compute_dtype(sample.work.op, hardware, precision).value_or(core::DType::bf16);
  const std::optional<double> peak = hardware.peak_flops_per_s(dtype);
  if (!peak || *peak <= 0.0) {
    throw core::InputError("hardware " + hardware.id + " has no " +
                           std::string(core::to_string(dtype)) +
                           " peak FLOP/s, which a profile sample needs");
  }
  return *peak;
}

/// A parameter of one operator's model, as the solver sees it.
struct Parameter {
  std::string name;  ///< reported name, <operator>.<yaml key>
  double lower = 0.0;
  bool inverse_efficiency = false;  ///< value = 1 / efficiency; else a time in us or ns
};

/// Predicted time of a sample for parameters `theta`, and d time / d theta into `gradient`.
using OperatorModelFn =
    std::function<double(const ProfileSample&, const Eigen::VectorXd&, Eigen::VectorXd&)>;

double cost_of(const std::vector<const ProfileSample*>& samples, const OperatorModelFn& model,
               const Eigen::VectorXd& theta) {
  Eigen::VectorXd gradient(theta.size());
  double cost = 0.0;
  for (const ProfileSample* s : samples) {
    const double r = (model(*s, theta, gradient) - s->measured_s) / s->measured_s;
    cost += r * r;
  }
  return cost;
}

Eigen::VectorXd levenberg_marquardt(const std::vector<const ProfileSample*>& samples,
                                    const std::vector<Parameter>& parameters,
                                    const OperatorModelFn& model, Eigen::VectorXd theta,
                                    int max_iterations) {
  const auto n = static_cast<Eigen::Index>(parameters.size());
  const auto project = [&](Eigen::VectorXd& v) {
    for (Eigen::Index j = 0; j < n; ++j) {
      v[j] = std::max(v[j], parameters[static_cast<std::size_t>(j)].lower);
    }
  };
  project(theta);
  double lambda = 1e-3;
  double cost = cost_of(samples, model, theta);
  Eigen::VectorXd gradient(n);
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    Eigen::MatrixXd jtj = Eigen::MatrixXd::Zero(n, n);
    Eigen::VectorXd jtr = Eigen::VectorXd::Zero(n);
    for (const ProfileSample* s : samples) {
      const double predicted = model(*s, theta, gradient);
      const Eigen::VectorXd row = gradient / s->measured_s;
      const double r = (predicted - s->measured_s) / s->measured_s;
      jtj.noalias() += row * row.transpose();
      jtr.noalias() += row * r;
    }
    bool improved = false;
    for (int attempt = 0; attempt < 30 && !improved; ++attempt) {
      Eigen::MatrixXd damped = jtj;
      for (Eigen::Index j = 0; j < n; ++j) damped(j, j) += lambda * std::max(jtj(j, j), 1e-12);
      Eigen::VectorXd candidate = theta - damped.ldlt().solve(jtr);
      project(candidate);
      const double candidate_cost = cost_of(samples, model, candidate);
      if (std::isfinite(candidate_cost) && candidate_cost < cost) {
        const double gain = cost - candidate_cost;
        theta = candidate;
        cost = candidate_cost;
        lambda = std::max(lambda / 3.0, 1e-12);
        improved = true;
        if (gain <= 1e-14 * std::max(cost, 1e-30)) return theta;
      } else {
        lambda *= 4.0;
      }
    }
    if (!improved) break;
  }
  return theta;
}

double parameter_value(const Parameter& p, double theta) {
  return p.inverse_efficiency ? 1.0 / theta : theta;
}

bool is_efficiency(EfficiencyParameter parameter) {
  return parameter == EfficiencyParameter::compute || parameter == EfficiencyParameter::bandwidth;
}

/// Seconds per solver unit of a fixed time (us for latencies, ns for per-block times).
double time_unit_s(EfficiencyParameter parameter) {
  return parameter == EfficiencyParameter::per_block ? kNano : kMicro;
}

/// The member of `e` that `parameter` names; `Efficiency` is OperatorEfficiency, const or not.
template <typename Efficiency>
auto& field(Efficiency& e, EfficiencyParameter parameter) {
  switch (parameter) {
    case EfficiencyParameter::compute:
      return e.compute;
    case EfficiencyParameter::bandwidth:
      return e.bandwidth;
    case EfficiencyParameter::latency:
      return e.latency_s;
    case EfficiencyParameter::per_block:
      return e.per_block_s;
  }
  return e.compute;
}

double get(const OperatorEfficiency& e, EfficiencyParameter parameter) { return field(e, parameter); }

/// The solver's value of `parameter` of `e`: 1 / efficiency, or the time in its unit.
double to_theta(const OperatorEfficiency& e, EfficiencyParameter parameter) {
  const double value = get(e, parameter);
  return is_efficiency(parameter) ? 1.0 / value : value / time_unit_s(parameter);
}

double from_theta(EfficiencyParameter parameter, double theta) {
  return is_efficiency(parameter) ? 1.0 / theta : theta * time_unit_s(parameter);
}

/// The time of a sample of operator `info.op` for the fitted parameters `theta` (the others
/// at `e`), as hw::price_item prices it, with its gradient.
class OperatorModel {
 public:
  OperatorModel(const OperatorInfo& info, const OperatorEfficiency& e, double exponent,
                const HardwareSpec& hardware, const std::vector<EfficiencyParameter>& fitted)
      : info_(info), e_(e), exponent_(exponent), hardware_(hardware) {
    slots_.fill(-1);
    for (std::size_t j = 0; j < fitted.size(); ++j) {
      slots_[static_cast<std::size_t>(fitted[j])] = static_cast<Eigen::Index>(j);
    }
  }

  double operator()(const ProfileSample& s, const Eigen::VectorXd& theta,
                    Eigen::VectorXd& gradient) const {
    const WorkItem& w = s.work;
    const double latency_s = value(theta, EfficiencyParameter::latency);
    const double inverse_bandwidth = value(theta, EfficiencyParameter::bandwidth);
    set(gradient, EfficiencyParameter::latency, w.kernels * kMicro);
    if (info_.pricing == Pricing::collective) {
      const double link = hardware_.interconnect_bandwidth_bytes_per_s;
      const double l0 = w.link_bytes / link;
      set(gradient, EfficiencyParameter::bandwidth, w.kernels * l0);
      return w.kernels * (latency_s + l0 * inverse_bandwidth);
    }
    const double per_block_s = value(theta, EfficiencyParameter::per_block);
    const double m0 = w.hbm_bytes / hardware_.hbm_bandwidth_bytes_per_s;
    const double m = m0 * inverse_bandwidth;
    set(gradient, EfficiencyParameter::per_block, w.blocks * kNano);
    double roofline_s = m;
    RooflinePartials d{0.0, 1.0};
    if (info_.counts_flops) {
      const double c0 = w.flops / compute_peak(s, hardware_);
      const double c = c0 * value(theta, EfficiencyParameter::compute);
      roofline_s = roofline_time_s(c, m, exponent_);
      d = roofline_partials(c, m, exponent_);
      set(gradient, EfficiencyParameter::compute, d.d_compute * c0);
    }
    set(gradient, EfficiencyParameter::bandwidth, d.d_memory * m0);
    return roofline_s + w.kernels * latency_s + w.blocks * per_block_s;
  }

 private:
  /// 1 / efficiency, or the time in seconds, of `parameter`: theta's when fitted, else e_'s.
  double value(const Eigen::VectorXd& theta, EfficiencyParameter parameter) const {
    const Eigen::Index j = slots_[static_cast<std::size_t>(parameter)];
    if (j < 0) {
      return is_efficiency(parameter) ? 1.0 / get(e_, parameter) : get(e_, parameter);
    }
    return is_efficiency(parameter) ? theta[j] : theta[j] * time_unit_s(parameter);
  }
  void set(Eigen::VectorXd& gradient, EfficiencyParameter parameter, double value) const {
    const Eigen::Index j = slots_[static_cast<std::size_t>(parameter)];
    if (j >= 0) gradient[j] = value;
  }

  const OperatorInfo& info_;
  OperatorEfficiency e_;
  double exponent_;
  const HardwareSpec& hardware_;
  std::array<Eigen::Index, 4> slots_{};  ///< theta index of each EfficiencyParameter, or -1
};

/// Fits operator plan.op, after setting its ties from `fitted_ops`.
OperatorFit fit_operator(const OperatorFitPlan& plan, const std::vector<ProfileSample>& all,
                         const HardwareSpec& start, const FitOptions& options,
                         const std::array<bool, kNumOperators>& fitted_ops, Efficiencies& e) {
  OperatorFit fit;
  fit.op = plan.op;
  const OperatorInfo& info = operator_info(plan.op);
  for (const TiedParameter& tie : plan.tied) {
    if (!fitted_ops[index(tie.from)]) continue;
    field(e[plan.op], tie.parameter) = get(e[tie.from], tie.parameter);
    fit.taken.push_back(tie);
  }
  std::vector<const ProfileSample*> samples;
  for (const ProfileSample& s : all) {
    if (s.work.op == plan.op) samples.push_back(&s);
  }
  fit.samples = samples.size();
  const bool has_link = start.interconnect_bandwidth_bytes_per_s > 0.0;
  if (plan.fitted.empty() || samples.size() < plan.fitted.size() ||
      (info.pricing == Pricing::collective && !has_link)) {
    return fit;
  }
  std::vector<Parameter> parameters;
  Eigen::VectorXd theta(static_cast<Eigen::Index>(plan.fitted.size()));
  for (std::size_t j = 0; j < plan.fitted.size(); ++j) {
    const EfficiencyParameter p = plan.fitted[j];
    parameters.push_back(Parameter{std::string(info.name) + "." + std::string(yaml_key(p)),
                                   is_efficiency(p) ? 1.0 : 0.0, is_efficiency(p)});
    theta[static_cast<Eigen::Index>(j)] = to_theta(e[plan.op], p);
  }
  const OperatorModel model(info, e[plan.op], options.roofline_exponent, start, plan.fitted);
  theta = levenberg_marquardt(samples, parameters, model, theta, options.max_iterations);
  fit.fitted = true;
  for (std::size_t j = 0; j < plan.fitted.size(); ++j) {
    const double t = theta[static_cast<Eigen::Index>(j)];
    field(e[plan.op], plan.fitted[j]) = from_theta(plan.fitted[j], t);
    fit.parameters.push_back(FittedParameter{parameters[j].name, parameter_value(parameters[j], t),
                                             t <= parameters[j].lower * (1.0 + 1e-9) + 1e-12});
  }
  return fit;
}

}  // namespace

std::string_view yaml_key(EfficiencyParameter parameter) {
  switch (parameter) {
    case EfficiencyParameter::compute:
      return "compute";
    case EfficiencyParameter::bandwidth:
      return "bandwidth";
    case EfficiencyParameter::latency:
      return "latency_us";
    case EfficiencyParameter::per_block:
      return "per_block_ns";
  }
  return "unknown";
}

std::vector<OperatorFitPlan> default_fit_plan() {
  using P = EfficiencyParameter;
  return {
      {Operator::gemm, {P::compute, P::bandwidth, P::latency}, {}},
      {Operator::elementwise, {P::bandwidth, P::latency}, {}},
      {Operator::attention_prefill, {P::compute, P::latency}, {{P::bandwidth, Operator::gemm}}},
      {Operator::attention_decode,
       {P::bandwidth, P::latency, P::per_block},
       {{P::compute, Operator::attention_prefill}}},
      {Operator::allreduce, {P::latency, P::bandwidth}, {}},
      {Operator::lm_head,
       {P::compute, P::bandwidth, P::latency},
       {{P::compute, Operator::gemm}, {P::bandwidth, Operator::gemm}, {P::latency, Operator::gemm}}},
  };
}

double predict_sample_s(const ProfileSample& sample, const HardwareSpec& hardware) {
  const OperatorInfo& info = operator_info(sample.work.op);
  const OperatorEfficiency& e = hardware.efficiency[sample.work.op];
  OperatorRates rates;
  rates.pricing = info.pricing;
  rates.counts_flops = info.counts_flops;
  if (info.counts_flops) rates.flops_per_s = compute_peak(sample, hardware) * e.compute;
  rates.bytes_per_s = (info.pricing == Pricing::collective
                           ? hardware.interconnect_bandwidth_bytes_per_s
                           : hardware.hbm_bandwidth_bytes_per_s) *
                      e.bandwidth;
  rates.latency_s = e.latency_s;
  rates.per_block_s = e.per_block_s;
  return price_item(sample.work, rates, hardware.efficiency.roofline_exponent).time_s;
}

EfficiencyFit fit_efficiencies(const std::vector<ProfileSample>& samples,
                               const HardwareSpec& start, const FitOptions& options) {
  EfficiencyFit result;
  Efficiencies& e = result.efficiencies;
  e = start.efficiency;
  e.roofline_exponent = options.roofline_exponent;
  for (const ProfileSample& s : samples) {
    if (operator_info(s.work.op).counts_flops) compute_peak(s, start);  // throws early on a missing peak
  }
  std::array<bool, kNumOperators> fitted_ops{};
  for (const OperatorFitPlan& plan : options.plan) {
    OperatorFit fit = fit_operator(plan, samples, start, options, fitted_ops, e);
    if (fit.fitted) fitted_ops[index(plan.op)] = true;
    result.operators.push_back(std::move(fit));
  }
  return result;
}

}  // namespace llmsim::hw
