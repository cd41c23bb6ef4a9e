// Calibration recovers efficiencies it is given: synthetic measurements are generated here,
// by hand formulas, from known parameters, and the fit must return those parameters, under
// the operator's name.
#include "hw/efficiency_fit.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::EfficiencyParameter;
using llmsim::hw::Operator;
using llmsim::hw::ProfileSample;
namespace t = llmsim::hw::test;

constexpr double kPeak = 989.4e12;  // h100_sxm() bf16
constexpr double kHbm = 3.35e12;
constexpr double kLink = 450e9;

/// One GEMM-shaped kernel of operator `op`, T tokens x (k = 4096, n = 4096), bf16:
/// 2 T k n FLOPs, 2 (k n + T (k + n)) bytes, one launch.
ProfileSample gemm_sample(double tokens, double measured_s, Operator op = Operator::gemm) {
  ProfileSample s;
  s.work.op = op;
  s.work.flops = 2.0 * tokens * 4096.0 * 4096.0;
  s.work.hbm_bytes = 2.0 * (4096.0 * 4096.0 + tokens * 8192.0);
  s.work.kernels = 1.0;
  s.name = "o_proj";
  s.tokens = static_cast<std::int64_t>(tokens);
  s.measured_s = measured_s;
  return s;
}

const llmsim::hw::OperatorFit& fit_of(const llmsim::hw::EfficiencyFit& fit, Operator op) {
  return *std::find_if(fit.operators.begin(), fit.operators.end(),
                       [op](const auto& c) { return c.op == op; });
}

}  // namespace

TEST_CASE("a GEMM fit with the hard roofline recovers compute and memory efficiency and kernel latency") {
  // Truth: e_compute 0.75, e_memory 0.85, 5 us per kernel, max(c, m).
  std::vector<ProfileSample> samples;
  for (const double tokens : {1.0, 8.0, 64.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0}) {
    const ProfileSample probe = gemm_sample(tokens, 1.0);
    const double compute_s = probe.work.flops / (kPeak * 0.75);
    const double memory_s = probe.work.hbm_bytes / (kHbm * 0.85);
    samples.push_back(gemm_sample(tokens, std::max(compute_s, memory_s) + 5e-6));
  }
  llmsim::hw::FitOptions options;
  options.roofline_exponent = 0.0;
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), options);
  const llmsim::hw::OperatorEfficiency& gemm = fit.efficiencies[Operator::gemm];
  CHECK(gemm.compute == doctest::Approx(0.75).epsilon(1e-6));
  CHECK(gemm.bandwidth == doctest::Approx(0.85).epsilon(1e-6));
  CHECK(gemm.latency_s == doctest::Approx(5e-6).epsilon(1e-6));
  CHECK(fit_of(fit, Operator::gemm).fitted);
  CHECK(fit_of(fit, Operator::gemm).samples == 8);
}

TEST_CASE("a GEMM fit with the rounded roofline recovers its efficiencies") {
  // Truth: sqrt(c^2 + m^2) + 3 us with e_compute 0.7, e_memory 0.9.
  std::vector<ProfileSample> samples;
  for (const double tokens : {1.0, 32.0, 128.0, 256.0, 384.0, 512.0, 1024.0, 4096.0}) {
    const ProfileSample probe = gemm_sample(tokens, 1.0);
    const double c = probe.work.flops / (kPeak * 0.7);
    const double m = probe.work.hbm_bytes / (kHbm * 0.9);
    samples.push_back(gemm_sample(tokens, std::sqrt(c * c + m * m) + 3e-6));
  }
  llmsim::hw::FitOptions options;
  options.roofline_exponent = 2.0;
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), options);
  CHECK(fit.efficiencies[Operator::gemm].compute == doctest::Approx(0.7).epsilon(1e-5));
  CHECK(fit.efficiencies[Operator::gemm].bandwidth == doctest::Approx(0.9).epsilon(1e-5));
  CHECK(fit.efficiencies[Operator::gemm].latency_s == doctest::Approx(3e-6).epsilon(1e-4));
  CHECK(fit.efficiencies.roofline_exponent == 2.0);
}

TEST_CASE("elementwise and all-reduce fits are linear and exact on exact data") {
  std::vector<ProfileSample> samples;
  for (const double bytes : {1e6, 1e7, 1e8, 1e9}) {
    ProfileSample s;
    s.work.op = Operator::elementwise;
    s.work.hbm_bytes = bytes;
    s.work.kernels = 5.0;
    s.name = "elementwise";
    s.measured_s = bytes / (kHbm * 0.6) + 5.0 * 2e-6;  // e 0.6, 2 us per kernel
    samples.push_back(s);
    ProfileSample a;
    a.work.op = Operator::allreduce;
    a.work.kernels = 1.0;
    a.work.link_bytes = bytes;
    a.name = "all_reduce";
    a.measured_s = 20e-6 + bytes / (kLink * 0.75);  // 20 us, bus bandwidth 75 %
    samples.push_back(a);
  }
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), {});
  CHECK(fit.efficiencies[Operator::elementwise].bandwidth == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(fit.efficiencies[Operator::elementwise].latency_s == doctest::Approx(2e-6).epsilon(1e-6));
  CHECK(fit.efficiencies[Operator::allreduce].latency_s == doctest::Approx(20e-6).epsilon(1e-6));
  CHECK(fit.efficiencies[Operator::allreduce].bandwidth == doctest::Approx(0.75).epsilon(1e-6));
}

TEST_CASE("a decode attention fit separates bandwidth, kernel latency and per-block cost") {
  // Truth: KV bytes / (HBM x 0.9) + 8 us + 30 ns per (sequence, head); memory bound
  // (tiny FLOPs), so the roofline exponent does not matter.
  std::vector<ProfileSample> samples;
  for (const double seqs : {1.0, 8.0, 64.0, 256.0}) {
    for (const double context : {32.0, 1024.0, 4096.0}) {
      ProfileSample s;
      s.work.op = Operator::attention_decode;
      s.work.hbm_bytes = seqs * (context + 1.0) * 16384.0;
      s.work.kernels = 1.0;
      s.work.blocks = seqs * 32.0;
      s.name = "attention_decode";
      s.measured_s = s.work.hbm_bytes / (kHbm * 0.9) + 8e-6 + s.work.blocks * 30e-9;
      samples.push_back(s);
    }
  }
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), {});
  const llmsim::hw::OperatorEfficiency& decode = fit.efficiencies[Operator::attention_decode];
  CHECK(decode.bandwidth == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(decode.latency_s == doctest::Approx(8e-6).epsilon(1e-5));
  CHECK(decode.per_block_s == doctest::Approx(30e-9).epsilon(1e-5));
  const auto& reported = fit_of(fit, Operator::attention_decode).parameters;
  REQUIRE(reported.size() == 3);
  CHECK(reported[2].name == "attention_decode.per_block_ns");
  CHECK(reported[2].value == doctest::Approx(30.0).epsilon(1e-5));
}

TEST_CASE("an efficiency the data put above one is pinned at one and reported") {
  // Memory-bound GEMMs measured faster than the HBM peak allows: e_memory would be 1.25.
  std::vector<ProfileSample> samples;
  for (const double tokens : {1.0, 2.0, 4.0, 8.0}) {
    const ProfileSample probe = gemm_sample(tokens, 1.0);
    samples.push_back(gemm_sample(tokens, probe.work.hbm_bytes / (kHbm * 1.25)));
  }
  llmsim::hw::FitOptions options;
  options.roofline_exponent = 0.0;
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), options);
  CHECK(fit.efficiencies[Operator::gemm].bandwidth == doctest::Approx(1.0));
  const auto& gemm = fit_of(fit, Operator::gemm);
  CHECK(gemm.parameters[1].name == "gemm.bandwidth");
  CHECK(gemm.parameters[1].at_bound);
}

TEST_CASE("operators without measurements keep the starting efficiencies") {
  const auto start = t::h100_sxm();
  const auto fit = llmsim::hw::fit_efficiencies({gemm_sample(1.0, 1e-4)}, start, {});
  CHECK_FALSE(fit_of(fit, Operator::gemm).fitted);  // 1 sample < 3 parameters
  CHECK(fit.efficiencies[Operator::gemm].compute == start.efficiency[Operator::gemm].compute);
  CHECK(fit_of(fit, Operator::allreduce).samples == 0);
  CHECK(fit.efficiencies[Operator::allreduce].latency_s ==
        start.efficiency[Operator::allreduce].latency_s);
  // Nothing was fitted, so no tie moved a value either.
  CHECK(fit_of(fit, Operator::lm_head).taken.empty());
  CHECK(fit.efficiencies[Operator::lm_head].bandwidth == start.efficiency[Operator::lm_head].bandwidth);
}

TEST_CASE("without LM-head measurements the LM head takes the GEMM fit, by name") {
  std::vector<ProfileSample> samples;
  for (const double tokens : {1.0, 8.0, 64.0, 512.0, 4096.0}) {
    const ProfileSample probe = gemm_sample(tokens, 1.0);
    samples.push_back(gemm_sample(
        tokens, std::max(probe.work.flops / (kPeak * 0.6), probe.work.hbm_bytes / (kHbm * 0.7)) + 4e-6));
  }
  llmsim::hw::FitOptions options;
  options.roofline_exponent = 0.0;
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), options);
  const llmsim::hw::OperatorEfficiency& head = fit.efficiencies[Operator::lm_head];
  CHECK(head.compute == doctest::Approx(0.6).epsilon(1e-6));
  CHECK(head.bandwidth == doctest::Approx(0.7).epsilon(1e-6));
  CHECK(head.latency_s == doctest::Approx(4e-6).epsilon(1e-6));
  CHECK(fit_of(fit, Operator::lm_head).taken.size() == 3);
  // Prefill attention's memory side follows the GEMMs' too; its compute side is its own.
  CHECK(fit.efficiencies[Operator::attention_prefill].bandwidth == head.bandwidth);
  CHECK(fit.efficiencies[Operator::attention_prefill].compute ==
        t::h100_sxm().efficiency[Operator::attention_prefill].compute);
}

TEST_CASE("calibration fits the operator a plan names, from that operator's samples alone") {
  // LM-head kernels measured on their own (truth: compute 0.55, bandwidth 0.65, 7 us), next
  // to GEMM samples of other efficiencies: a plan that names lm_head fits it from its own.
  std::vector<ProfileSample> samples;
  for (const double tokens : {1.0, 16.0, 128.0, 1024.0, 8192.0}) {
    const ProfileSample probe = gemm_sample(tokens, 1.0);
    const double c = probe.work.flops / kPeak;
    const double m = probe.work.hbm_bytes / kHbm;
    samples.push_back(gemm_sample(tokens, std::max(c / 0.55, m / 0.65) + 7e-6,
                                  *llmsim::hw::operator_named("lm_head")));
    samples.push_back(gemm_sample(tokens, std::max(c / 0.8, m / 0.9) + 3e-6));
  }
  llmsim::hw::FitOptions options;
  options.roofline_exponent = 0.0;
  options.plan = {{Operator::lm_head,
                   {EfficiencyParameter::compute, EfficiencyParameter::bandwidth,
                    EfficiencyParameter::latency},
                   {}}};
  const auto fit = llmsim::hw::fit_efficiencies(samples, t::h100_sxm(), options);
  REQUIRE(fit.operators.size() == 1);
  CHECK(fit.operators[0].samples == 5);
  CHECK(fit.operators[0].parameters[0].name == "lm_head.compute");
  CHECK(fit.efficiencies[Operator::lm_head].compute == doctest::Approx(0.55).epsilon(1e-6));
  CHECK(fit.efficiencies[Operator::lm_head].bandwidth == doctest::Approx(0.65).epsilon(1e-6));
  CHECK(fit.efficiencies[Operator::lm_head].latency_s == doctest::Approx(7e-6).epsilon(1e-6));
  // The GEMM samples informed nothing: gemm is not in the plan.
  CHECK(fit.efficiencies[Operator::gemm].compute == t::h100_sxm().efficiency[Operator::gemm].compute);
}

TEST_CASE("a fitted sample's prediction is the step-time model's price of its work item") {
  auto hw = t::h100_sxm();
  hw.efficiency[Operator::gemm].latency_s = 5e-6;
  hw.efficiency.roofline_exponent = 2.0;
  const ProfileSample sample = gemm_sample(300.0, 1.0);
  const double c = sample.work.flops / (kPeak * 0.7);
  const double m = sample.work.hbm_bytes / (kHbm * 0.8);
  CHECK(llmsim::hw::predict_sample_s(sample, hw) == doctest::Approx(std::sqrt(c * c + m * m) + 5e-6));
}
