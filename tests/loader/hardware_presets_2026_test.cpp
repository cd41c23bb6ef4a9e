// The hardware presets of issue 23 (Blackwell, H20, RTX PRO 6000, AMD Instinct): the values the
// pricing depends on, pinned to their files' cited figures.
#include <doctest/doctest.h>

#include "core/dtype.h"
#include "loader/hardware_loader.h"

using llmsim::core::DType;
using llmsim::loader::load_hardware;

TEST_CASE("the Blackwell and MI355X presets carry dense fp4 peaks; Hopper, CDNA3 none") {
  CHECK(*load_hardware("b200").peak.fp4_flops_per_s == doctest::Approx(9000e12));
  CHECK(*load_hardware("b300").peak.fp4_flops_per_s == doctest::Approx(13125e12));
  CHECK(*load_hardware("gb200").peak.fp4_flops_per_s == doctest::Approx(10000e12));
  CHECK(*load_hardware("gb300").peak.fp4_flops_per_s == doctest::Approx(15000e12));
  CHECK(*load_hardware("rtx-pro-6000").peak.fp4_flops_per_s == doctest::Approx(2000e12));
  const auto mi355x = load_hardware("mi355x");
  CHECK(*mi355x.peak.fp4_flops_per_s == doctest::Approx(10100e12));
  CHECK(mi355x.peak_flops_per_s(DType::mxfp4).has_value());
  CHECK_FALSE(mi355x.peak_flops_per_s(DType::nvfp4).has_value());  // fp4_formats: [mxfp4]
  for (const char* id : {"h100-sxm", "h200", "h20", "mi300x", "mi325x", "a100-sxm-80gb"}) {
    CAPTURE(id);
    CHECK_FALSE(load_hardware(id).peak.fp4_flops_per_s.has_value());
  }
}

TEST_CASE("the new presets' fabric: NVL72 domains, AMD's 8-GPU platforms, PCIe without NICs") {
  for (const char* id : {"gb200", "gb300"}) {
    CAPTURE(id);
    CHECK(load_hardware(id).fabric.scale_up_domain_gpus == 72);
  }
  CHECK(load_hardware("gb200").fabric.scale_out_bandwidth_bytes_per_s == 50e9);   // ConnectX-7 400G per GPU
  CHECK(load_hardware("gb300").fabric.scale_out_bandwidth_bytes_per_s == 100e9);  // ConnectX-8 800G per GPU
  CHECK(load_hardware("b300").fabric.scale_out_bandwidth_bytes_per_s == 100e9);
  for (const char* id : {"mi300x", "mi325x", "mi355x", "h20", "b300"}) {
    CAPTURE(id);
    CHECK(load_hardware(id).fabric.scale_up_domain_gpus == 8);
  }
  const auto rtx = load_hardware("rtx-pro-6000");
  CHECK(rtx.fabric.scale_up_domain_gpus == 8);
  CHECK_FALSE(rtx.fabric.has_scale_out());
  CHECK(rtx.interconnect_bandwidth_bytes_per_s == 63e9);  // PCIe Gen5 x16 per direction
  // MI300X: 7 Infinity Fabric links x 64 GB/s per direction = 448 GB/s.
  CHECK(load_hardware("mi300x").interconnect_bandwidth_bytes_per_s == 448e9);
}

