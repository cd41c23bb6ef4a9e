// The shipped calibration against the shipped measurements (data/profiles): regression
// guards on the fit error the presets document (configs/README.md, "Calibrated
// efficiencies"), including models the fit never saw.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hw/efficiency_fit.h"
#include "hw/fit_residuals.h"
#include "hw/profile_reader.h"
#include "loader/hardware_loader.h"

namespace {

std::string profile(const std::string& relative) {
  return std::string(LLMSIM_SOURCE_DIR) + "/data/profiles/compute/" + relative;
}

std::vector<llmsim::hw::ProfileSample> read(const std::string& relative) {
  return llmsim::hw::read_profile(profile(relative), nullptr, llmsim::hw::Precision{});
}

}  // namespace

TEST_CASE("the shipped A100 preset prices Vidur's CodeLlama-34B layers within 10 percent median") {
  const auto gpu = llmsim::loader::load_hardware("a100-sxm-80gb");
  const auto samples = read("a100/codellama/CodeLlama-34b-Instruct-hf/mlp.csv");
  const auto layer = llmsim::hw::layer_residuals(samples, gpu, "layer");
  CHECK(layer.count == 1036);
  CHECK(layer.median_abs_error < 0.10);
  CHECK(std::abs(layer.worst_error) < 0.35);
}

TEST_CASE("the shipped H100 preset prices Vidur's Llama-2-70B layers within 10 percent median") {
  const auto gpu = llmsim::loader::load_hardware("h100-sxm");
  const auto layer = llmsim::hw::layer_residuals(read("h100/meta-llama/Llama-2-70b-hf/mlp.csv"), gpu, "layer");
  CHECK(layer.median_abs_error < 0.10);
  CHECK(std::abs(layer.worst_error) < 0.35);
}

TEST_CASE("a fit on Llama-2-7B alone predicts held-out Llama-2-70B and CodeLlama-34B on A100") {
  const auto start = llmsim::loader::load_hardware("a100-sxm-80gb");
  const auto fit = llmsim::hw::fit_efficiencies(read("a100/meta-llama/Llama-2-7b-hf/mlp.csv"),
                                                start, llmsim::hw::FitOptions{});
  auto calibrated = start;
  calibrated.efficiency = fit.efficiencies;
  // Plausible physical values, not pinned at a bound.
  const llmsim::hw::OperatorEfficiency& gemm = fit.efficiencies[llmsim::hw::Operator::gemm];
  CHECK(gemm.compute > 0.6);
  CHECK(gemm.compute < 0.8);
  CHECK(gemm.bandwidth > 0.7);
  CHECK(gemm.bandwidth < 0.9);
  for (const char* held_out : {"a100/meta-llama/Llama-2-70b-hf/mlp.csv",
                               "a100/codellama/CodeLlama-34b-Instruct-hf/mlp.csv"}) {
    CAPTURE(held_out);
    const auto layer = llmsim::hw::layer_residuals(read(held_out), calibrated, "layer");
    CHECK(layer.median_abs_error < 0.05);
    CHECK(std::abs(layer.worst_error) < 0.25);
  }
}
