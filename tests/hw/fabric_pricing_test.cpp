// The fabric (issue 24): a tensor-parallel all-reduce is priced on the links it crosses.
// Within the scale-up domain it is the ring on the interconnect, unchanged; a group larger
// than the domain is a hierarchical all-reduce whose inter-domain phase runs on the
// scale-out link (hw/iteration_work_model.h). Expected values are worked out by hand from
// the numbers in tests/hw/step_time_fixtures.h and the fabric stated below.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <string>

#include "core/input_error.h"
#include "hw/hardware_spec.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

namespace t = llmsim::hw::test;
using llmsim::hw::Fabric;
using llmsim::hw::HardwareSpec;
using llmsim::hw::Operator;
using llmsim::hw::StepTimeModel;
using llmsim::hw::WorkItem;

std::uint64_t bits(double value) { return std::bit_cast<std::uint64_t>(value); }

/// The fixtures' H100 SXM (450 GB/s NVLink per direction, all-reduce bus bandwidth 0.7 and
/// 10 us per call) on a DGX H100 fabric: 8 GPUs per NVLink domain, one 400 Gb/s NIC per
/// GPU = 50 GB/s per direction, 4 us per inter-node step (configs/hardware/h100-sxm.yaml).
HardwareSpec h100_dgx() {
  HardwareSpec hw = t::h100_sxm();
  hw.fabric.scale_up_domain_gpus = 8;
  hw.fabric.scale_out_bandwidth_bytes_per_s = 50e9;
  hw.fabric.scale_out_latency_s = 4e-6;
  return hw;
}

/// The all-reduce item of 64 decode sequences (64 new tokens) of Llama-3.1-8B at `tp`.
WorkItem allreduce_of(const StepTimeModel& model) {
  for (const WorkItem& item : model.work(t::decode_batch(64, 1000))) {
    if (item.op == Operator::allreduce) return item;
  }
  FAIL("no all-reduce item");
  return {};
}

double allreduce_time_s(const StepTimeModel& model) {
  return model.price_item(allreduce_of(model)).time_s;
}

// Payload per call: 64 tokens x 4096 hidden x 2 bytes (bf16) = 524,288 B; 2 x 32 + 1 = 65
// calls per iteration.
constexpr double kPayload = 64.0 * 4096.0 * 2.0;
constexpr double kCalls = 65.0;
constexpr double kNvlink = 450e9 * 0.7;    // achieved scale-up bytes/s
constexpr double kScaleOut = 50e9 * 0.7;   // achieved scale-out bytes/s (same efficiency)

}  // namespace

TEST_CASE("TP8 on an 8-GPU domain: the ring on NVLink, bit for bit as without a fabric") {
  const StepTimeModel with_fabric(t::llama_3_1_8b(), h100_dgx(), t::bf16(), t::tp(8));
  const StepTimeModel without(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(8));
  const WorkItem item = allreduce_of(with_fabric);
  CHECK(item.scale_out_link_bytes == 0.0);
  CHECK(item.scale_out_steps == 0.0);
  CHECK(item.link_bytes == doctest::Approx(2.0 * 7.0 / 8.0 * kPayload));
  // 65 x (10 us + 917,504 B / 315 GB/s) = 65 x 12.9127 us = 839.3 us.
  const double expected = kCalls * (10e-6 + 2.0 * 7.0 / 8.0 * kPayload / kNvlink);
  CHECK(allreduce_time_s(with_fabric) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(allreduce_time_s(with_fabric) == doctest::Approx(839.305e-6).epsilon(1e-5));
  CHECK(bits(allreduce_time_s(with_fabric)) == bits(allreduce_time_s(without)));
  const auto batch = t::decode_batch(64, 1000);
  CHECK(bits(with_fabric.price(batch).time_s) == bits(without.price(batch).time_s));
}

TEST_CASE("TP16 on 8-GPU domains: hierarchical all-reduce, its middle phase on the NICs") {
  const StepTimeModel model(t::llama_3_1_8b(), h100_dgx(), t::bf16(), t::tp(16));
  const WorkItem item = allreduce_of(model);
  // d = 8, n = 2: reduce-scatter + all-gather in the domain move 2 x 7/8 of the payload on
  // NVLink; the 1/8 shard is all-reduced between the two domains: 2 x 1/2 x payload / 8 =
  // 65,536 B on each GPU's NIC, in 2 (n - 1) = 2 steps.
  CHECK(item.link_bytes == doctest::Approx(2.0 * 7.0 / 8.0 * kPayload));
  CHECK(item.scale_out_link_bytes == doctest::Approx(kPayload / 8.0));
  CHECK(item.scale_out_steps == 2.0);
  // 65 x (10 us + 917,504 / 315e9 + 2 x 4 us + 65,536 / 35e9)
  //   = 65 x (10 + 2.9127 + 8 + 1.8725) us = 65 x 22.7852 us = 1,481.04 us.
  const double expected = kCalls * (10e-6 + 2.0 * 7.0 / 8.0 * kPayload / kNvlink + 2.0 * 4e-6 +
                                    kPayload / 8.0 / kScaleOut);
  CHECK(allreduce_time_s(model) == doctest::Approx(expected).epsilon(1e-12));
  CHECK(allreduce_time_s(model) == doctest::Approx(1481.04e-6).epsilon(1e-5));

  // Before the fabric, TP16 was a 16-GPU ring all on NVLink: 65 x (10 us + 2 x 15/16 x
  // 524,288 / 315e9) = 65 x 13.1208 us = 852.9 us. Crossing the NICs is slower.
  const StepTimeModel all_nvlink(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(16));
  CHECK(allreduce_time_s(all_nvlink) ==
        doctest::Approx(kCalls * (10e-6 + 2.0 * 15.0 / 16.0 * kPayload / kNvlink)).epsilon(1e-12));
  CHECK(allreduce_time_s(model) > allreduce_time_s(all_nvlink));
  const auto batch = t::decode_batch(64, 1000);
  CHECK(model.price(batch).time_s > all_nvlink.price(batch).time_s);
}

TEST_CASE("four domains: the inter-domain ring grows with the domains it spans") {
  // TP32 on 8-GPU domains: n = 4, scale-out bytes 2 x 3/4 x payload / 8, 6 steps.
  const StepTimeModel model(t::llama_3_1_8b(), h100_dgx(), t::bf16(), t::tp(32));
  const WorkItem item = allreduce_of(model);
  CHECK(item.link_bytes == doctest::Approx(2.0 * 7.0 / 8.0 * kPayload));
  CHECK(item.scale_out_link_bytes == doctest::Approx(2.0 * 3.0 / 4.0 * kPayload / 8.0));
  CHECK(item.scale_out_steps == 6.0);
}

TEST_CASE("a group past the domain is refused without scale-out links or as a part-domain") {
  HardwareSpec no_nic = t::h100_sxm();
  no_nic.fabric.scale_up_domain_gpus = 8;
  CHECK_THROWS_WITH_AS(StepTimeModel(t::llama_3_1_8b(), no_nic, t::bf16(), t::tp(16)),
                       doctest::Contains("states no scale_out_bandwidth_gb_per_s"),
                       llmsim::core::InputError);
  CHECK_NOTHROW(StepTimeModel(t::llama_3_1_8b(), no_nic, t::bf16(), t::tp(8)));

  Fabric fabric = h100_dgx().fabric;
  CHECK_FALSE(fabric.group_problem(8).has_value());
  CHECK_FALSE(fabric.group_problem(16).has_value());
  REQUIRE(fabric.group_problem(12).has_value());
  CHECK(fabric.group_problem(12)->find("a multiple of 8") != std::string::npos);
  // No domain stated: every group shares the interconnect, as before the key existed.
  CHECK_FALSE(Fabric{}.crosses_scale_out(64));
  CHECK_FALSE(Fabric{}.group_problem(64).has_value());
}
