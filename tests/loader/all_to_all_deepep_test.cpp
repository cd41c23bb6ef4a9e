// The expert all-to-all over more peers (issue 24) against the source it is priced after:
// DeepEP's low-latency kernel table (deepseek-ai/DeepEP, docs/legacy.md, "Low-latency
// kernels with pure RDMA": H800, one CX7 400 Gb/s NIC per GPU, 128 tokens per batch, 7168
// hidden, top-8, FP8 dispatch and BF16 combine). At a fixed 128 tokens per rank the bytes
// each GPU sends do not change with EP; the time grows because a growing share of them
// leaves the 8-GPU NVLink domain for the slower NIC: (EP - 8) / EP of the messages.
#include <doctest/doctest.h>

#include <array>

#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace {

using llmsim::core::DType;
using llmsim::hw::Operator;
using llmsim::hw::Parallelism;
using llmsim::hw::Precision;
using llmsim::hw::RankShare;
using llmsim::hw::StepTimeModel;
using llmsim::hw::WorkItem;
using llmsim::hw::WorkItemList;

struct DeepEpRow {
  int ep;
  double dispatch_us;
  double combine_us;
};
// docs/legacy.md at deepseek-ai/DeepEP dd758ca, the low-latency table (dispatch and combine
// latency per call, i.e. per MoE layer).
constexpr std::array<DeepEpRow, 5> kLowLatency = {{
    {16, 118.0, 195.0},
    {32, 155.0, 273.0},
    {64, 173.0, 314.0},
    {128, 192.0, 369.0},
    {256, 194.0, 360.0},
}};

/// The all-to-all item of one rank's decode-only share: 128 tokens per rank over EP ranks,
/// uniform routing (load factor 1, as DeepEP's benchmark routes), and the model it prices.
struct DecodeAllToAll {
  WorkItem item;
  double seconds;
  double moe_layers;
};

DecodeAllToAll decode_all_to_all(int ep) {
  const auto model = llmsim::loader::load_model("deepseek-v3");  // 7168 hidden, 256 experts, top-8
  auto h800 = llmsim::loader::load_hardware("h100-sxm");
  // H800: the H100 die with NVLink cut to 400 GB/s bidirectional (200 per direction; DeepEP
  // measures ~160 GB/s on it); one 400 Gb/s CX7 per GPU as h100-sxm has.
  h800.interconnect_bandwidth_bytes_per_s = 200e9;
  const StepTimeModel step(
      model, h800, Precision{.weights = DType::fp8, .kv_cache = DType::bf16, .activations = DType::bf16},
      Parallelism{.tensor_parallel = 1, .attention_data_parallel = ep, .expert_parallel = ep});
  RankShare share;
  share.decode_seqs = 128.0;
  share.decode_kv_tokens = 128.0 * 1000.0;
  share.group_tokens = 128.0 * ep;
  share.expert_load = 1.0;
  const WorkItemList items = step.work_model().stage_items(share, step.stages().front());
  for (const WorkItem& item : items) {
    if (item.op == Operator::all_to_all) {
      return {item, step.price_item(item).time_s, item.kernels / 2.0};
    }
  }
  FAIL("no all-to-all item");
  return {};
}

TEST_CASE("decode all-to-all over more peers: within 15% of DeepEP's low-latency table at EP16-256") {
  for (const DeepEpRow& row : kLowLatency) {
    const DecodeAllToAll a2a = decode_all_to_all(row.ep);
    const double per_layer_us = a2a.seconds / a2a.moe_layers * 1e6;
    CAPTURE(row.ep);
    CAPTURE(per_layer_us);
    CHECK(per_layer_us / (row.dispatch_us + row.combine_us) == doctest::Approx(1.0).epsilon(0.15));
  }
}

TEST_CASE("decode all-to-all: time grows with EP at a fixed tokens per rank, as DeepEP's does") {
  double previous = 0.0;
  for (const int ep : {8, 16, 32, 64, 128, 256}) {
    const double seconds = decode_all_to_all(ep).seconds;
    CAPTURE(ep);
    CHECK(seconds > previous);
    previous = seconds;
  }
}

TEST_CASE("all-to-all time is at least its bytes over the slowest link they cross") {
  for (const int ep : {8, 16, 32, 64, 128, 256}) {
    const DecodeAllToAll a2a = decode_all_to_all(ep);
    CAPTURE(ep);
    const double calls = a2a.item.kernels;
    REQUIRE(calls > 0.0);
    // Per call: the scale-out bytes at the NIC's line rate (50 GB/s), the scale-up bytes at NVLink's.
    const double floor_s = calls * (a2a.item.scale_out_link_bytes / 50e9 + a2a.item.link_bytes / 200e9);
    CHECK(a2a.seconds >= floor_s);
    if (ep > 8) CHECK(a2a.item.scale_out_link_bytes > 0.0);
  }
}

}  // namespace
