// Rates and time: achieved rate = datasheet peak x efficiency (hw/efficiencies.h, by
// operator), and each work item's time is hw/item_pricer.h's:
//
//   roofline item    R(flops / (P_op x compute), hbm_bytes / (HBM x bandwidth))
//                    + kernels x latency + blocks x per_block
//   collective item  calls x (latency + link_bytes / (interconnect x bandwidth))
//                    + calls x (scale_out_steps x scale_out_latency
//                               + scale_out_link_bytes / (scale_out x bandwidth))
//                    (second line: a tensor-parallel group larger than the scale-up domain,
//                    priced as a hierarchical all-reduce; hw/iteration_work_model.h)
//   step             host.step_s(items + per_layer_overhead_s x layers): the engine's CPU
//                    time added to the GPU time, or hidden behind it (hw/host_time.h)
//
// where R is the roofline of Williams, Waterman and Patterson (CACM 2009) applied per
// operator as in DESIGN.md section 3: max(c, m), or with roofline_exponent k >= 1 its
// rounded form (c^k + m^k)^(1/k) (hw/roofline.h), and P_op the peak of the dtype the
// operator computes in (hw/compute_dtypes.h: GEMMs in fp8 only with fp8 weights on a GPU
// with an fp8 peak; attention always, and the LM head when the weights are quantised, at
// the unquantised peak). An operator that counts no FLOPs (elementwise) has no compute
// side: its roofline time is its memory time. The work itself (FLOPs, bytes, kernels,
// blocks, collective calls and link bytes) is IterationWorkModel's.
//
// Ring all-reduce moves 2(p-1)/p of the payload over each GPU's link (NCCL's "bus
// bandwidth", nccl-tests doc/PERFORMANCE.md), the interconnect figure being per GPU and
// direction. The GEMMs of one iteration all see the same T tokens, so one roofline over
// their sum is close to the sum of per-GEMM rooflines (their compute/memory ratios are all
// about T x HBM / peak). With roofline_exponent 0, once it is known which side bound each
// item, time is linear in every 1/efficiency and in the fixed times.
#include "hw/step_time_model.h"

#include <optional>
#include <string>

#include "core/input_error.h"
#include "core/invariant.h"
#include "hw/compute_dtypes.h"
#include "hw/overlap_schedule.h"
#include "hw/parallel_layout.h"
#include "hw/step_sum.h"
#include "hw/weight_dequant.h"

namespace llmsim::hw {
namespace {

/// Peak FLOP/s of one GPU in `dtype`; throws when the GPU has none.
double required_peak(const HardwareSpec& hardware, core::DType dtype, std::string_view user) {
  const std::optional<double> peak = hardware.peak_flops_per_s(dtype);
  if (!peak || *peak <= 0.0) {
    throw core::InputError("hardware " + hardware.id + " has no " +
                           std::string(core::to_string(dtype)) + " peak FLOP/s, which " +
                           std::string(user) + " needs");
  }
  return *peak;
}

void check_positive(double value, const std::string& hardware_id, const std::string& field) {
  if (!(value > 0.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field + " must be positive, got " +
                           std::to_string(value));
  }
}

void check_fraction(double value, const std::string& hardware_id, const std::string& field) {
  if (!(value > 0.0 && value <= 1.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field + " must be in (0, 1], got " +
                           std::to_string(value));
  }
}

void check_non_negative(double value, const std::string& hardware_id, const std::string& field) {
  if (!(value >= 0.0)) {
    throw core::InputError("hardware " + hardware_id + ": " + field +
                           " must not be negative, got " + std::to_string(value));
  }
}

/// Every operator's efficiencies and times in range, and the fixed costs; the interconnect
/// only where a collective can run (more than one GPU).
void check_hardware(const HardwareSpec& hardware, const Parallelism& parallelism) {
  const std::string& id = hardware.id;
  const Efficiencies& e = hardware.efficiency;
  check_positive(hardware.hbm_bandwidth_bytes_per_s, id, "hbm_bandwidth_bytes_per_s");
  for (const OperatorInfo& info : kOperators) {
    const OperatorEfficiency& op = e[info.op];
    const std::string key = "efficiency." + std::string(info.name) + ".";
    if (info.counts_flops) check_fraction(op.compute, id, key + "compute");
    check_fraction(op.bandwidth, id, key + "bandwidth");
    check_non_negative(op.latency_s, id, key + "latency_s");
    check_non_negative(op.per_block_s, id, key + "per_block_s");
  }
  check_non_negative(e.per_layer_overhead_s, id, "per_layer_overhead_s");
  if (!(e.roofline_exponent == 0.0 || e.roofline_exponent >= 1.0)) {
    throw core::InputError("hardware " + id + ": roofline_exponent must be 0 or >= 1, got " +
                           std::to_string(e.roofline_exponent));
  }
  if (parallelism.gpus() > 1) {
    check_positive(hardware.interconnect_bandwidth_bytes_per_s, id,
                   "interconnect_bandwidth_bytes_per_s (more than one GPU)");
  }
}

/// The scale-up domain size, once the tensor-parallel group is known to fit the fabric
/// (hw::Fabric::group_problem): checked before the work model is built, which relies on it.
int checked_domain_gpus(const core::ModelSpec& model, const HardwareSpec& hardware, const Parallelism& parallelism) {
  if (const auto problem = hardware.fabric.group_problem(parallelism.tensor_parallel)) {
    throw core::InputError("hardware " + hardware.id + ": tensor_parallel " + *problem);
  }
  if (const auto problem = parallel_layout_problem(model, parallelism, hardware.fabric)) {
    throw core::InputError("hardware " + hardware.id + ", model " + model.id + ": " + problem->key + ": " +
                           problem->message);
  }
  return hardware.fabric.scale_up_domain_gpus;
}

}  // namespace

StepTimeModel::StepTimeModel(const core::ModelSpec& model, const HardwareSpec& hardware,
                             Precision precision, Parallelism parallelism, HostTime host)
    : parallelism_(parallelism),
      hbm_bandwidth_bytes_per_s_(hardware.hbm_bandwidth_bytes_per_s),
      work_model_(model, core::count_parameters(model), precision, parallelism,
                  checked_domain_gpus(model, hardware, parallelism),
                  software_dequant(hardware, model, precision)) {
  for (const OperatorInfo& info : kOperators) {
    const OperatorEfficiency& e = hardware.efficiency[info.op];
    OperatorRates& rates = rates_[index(info.op)];
    rates.pricing = info.pricing;
    rates.counts_flops = info.counts_flops;
    if (info.counts_flops) {
      const std::optional<core::DType> dtype = operator_compute_dtype(info.op, hardware, precision);
      double peak = required_peak(hardware, *dtype, info.name);
      if (info.op == Operator::gemm) {
        // Experts in a format of their own (gpt-oss's MXFP4 on Blackwell: W4A8) run at their
        // own peak; the GEMM item's rate is the FLOP-weighted harmonic mean, so its compute
        // time is the sum of the two parts' times (hw/compute_dtypes.h).
        if (const std::optional<core::DType> experts = expert_gemm_compute_dtype(hardware, model)) {
          const double share = work_model_.expert_gemm_flop_share();
          const double expert_peak = required_peak(hardware, *experts, "the routed experts");
          peak = 1.0 / ((1.0 - share) / peak + share / expert_peak);
        }
        gemm_peak_flops_per_s_ = peak;
        // Weight-only GEMMs convert their weights on the non-tensor ALUs (hw/weight_dequant.h).
        if (software_dequant(hardware, model, precision).any()) {
          const std::optional<double> alu = alu_instructions_per_s(hardware);
          if (!alu) {
            throw core::InputError("hardware " + hardware.id +
                                   " has no fp32 peak FLOP/s, which weight-only (dequantised) GEMMs need");
          }
          rates.alu_instructions_per_s = *alu;
        }
      }
      rates.flops_per_s = peak * e.compute;
    }
    const double link_or_hbm = info.pricing == Pricing::collective
                                   ? hardware.interconnect_bandwidth_bytes_per_s
                                   : hardware.hbm_bandwidth_bytes_per_s;
    rates.bytes_per_s = link_or_hbm * e.bandwidth;
    if (info.pricing == Pricing::collective) {
      rates.scale_out_bytes_per_s = hardware.fabric.scale_out_bandwidth_bytes_per_s * e.bandwidth;
      rates.scale_out_latency_s = hardware.fabric.scale_out_latency_s;
    }
    rates.latency_s = e.latency_s;
    rates.per_block_s = e.per_block_s;
  }
  check_hardware(hardware, parallelism);
  // Two-batch overlap prices the SMs DeepEP's normal kernels hold (hw/overlap_schedule.h).
  if (parallelism.two_batch_overlap && hardware.sm_count <= kDeepEpNormalKernelSms) {
    throw core::InputError("two-batch overlap on " + hardware.id + " needs its sm_count (more than DeepEP's " +
                           std::to_string(kDeepEpNormalKernelSms) + " communication SMs); the preset states " +
                           (hardware.sm_count > 0 ? std::to_string(hardware.sm_count) : std::string("none")));
  }
  sm_count_ = hardware.sm_count;
  const Efficiencies& e = hardware.efficiency;
  roofline_exponent_ = e.roofline_exponent;
  gpu_fixed_s_ = e.per_layer_overhead_s * static_cast<double>(model.num_layers);
  per_layer_overhead_s_ = e.per_layer_overhead_s;
  stages_ = pipeline_stages(static_cast<int>(model.num_layers), parallelism, hardware.fabric);
  core::check_invariant(host.iteration_s >= 0.0 && host.per_seq_s >= 0.0, "StepTimeModel: host times >= 0");
  host_ = host;
}

StepCost StepTimeModel::price(const BatchShape& batch) const {
  if (batch.empty()) return StepCost{};
  if (!parallelism_.tensor_only()) return price_pipelined(batch);
  return price(work(batch), batch.prefill_seqs + batch.decode_seqs + batch.verify_seqs);
}

StepCost StepTimeModel::price(const WorkItemList& items, std::int64_t seqs) const {
  StepCost cost;
  StepSum sum;
  for (const WorkItem& item : items) {
    // Priced in its slot of cost.items: no copy of it to reload.
    sum.add(item, cost.items.push_back_from([&] { return price_item(item); }));
  }
  static_cast<StepTotals&>(cost) = sum.totals(gpu_fixed_s_, host_, static_cast<double>(seqs), parallelism_.gpus());
  cost.overhead_s = cost.time_s - sum.items_s();
  return cost;
}

double StepTimeModel::peak_flops_per_s_group() const {
  return gemm_peak_flops_per_s_ * parallelism_.gpus();
}

double StepTimeModel::hbm_bandwidth_group() const {
  return hbm_bandwidth_bytes_per_s_ * parallelism_.gpus();
}

}  // namespace llmsim::hw
