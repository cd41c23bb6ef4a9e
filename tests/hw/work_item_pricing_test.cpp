// The one pricing loop over work items (hw/step_time_model.h): any item list, the work
// model's or a synthetic one, is priced item by item and summed in list order, and each
// item records the bound that won it.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "hw/item_pricer.h"
#include "hw/step_time_model.h"
#include "hw/work_item.h"
#include "hw/work_item_list.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::Bound;
using llmsim::hw::Operator;
using llmsim::hw::StepCost;
using llmsim::hw::StepTimeModel;
using llmsim::hw::WorkItem;
using llmsim::hw::WorkItemList;
namespace t = llmsim::hw::test;

std::uint64_t bits(double value) { return std::bit_cast<std::uint64_t>(value); }

WorkItem item(Operator op, double flops, double hbm_bytes, double kernels) {
  WorkItem w;
  w.op = op;
  w.flops = flops;
  w.hbm_bytes = hbm_bytes;
  w.kernels = kernels;
  return w;
}

}  // namespace

TEST_CASE("the work model's items, priced as a list, are the batch's price to the bit") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2));
  auto batch = t::prefill_batch(512, 1000);
  batch.decode_seqs = 30;
  batch.decode_kv_tokens = 30.0 * 700.0;
  batch.sampled_seqs += 30;
  const WorkItemList items = model.work(batch);
  // gemm, attention_prefill, attention_decode, elementwise, lm_head, allreduce: in order.
  REQUIRE(items.size() == 6);
  for (std::size_t i = 0; i < items.size(); ++i) CHECK(llmsim::hw::index(items[i].op) == i);
  const StepCost from_batch = model.price(batch);
  const StepCost from_items = model.price(items);
  CHECK(bits(from_batch.time_s) == bits(from_items.time_s));
  CHECK(bits(from_batch.flops) == bits(from_items.flops));
  CHECK(bits(from_batch.hbm_bytes) == bits(from_items.hbm_bytes));
  CHECK(from_batch.bound == from_items.bound);
}

TEST_CASE("a synthetic item list is priced by the same loop, item by item in list order") {
  auto hw = t::h100_sxm();
  hw.efficiency[Operator::attention_decode].latency_s = 8e-6;
  hw.efficiency[Operator::attention_decode].per_block_s = 30e-9;
  const StepTimeModel model(t::llama_3_1_8b(), hw, t::bf16(), t::tp(4),
                            llmsim::hw::HostTime{.iteration_s = 0.002, .overlapped = false});
  // Two decode-attention items, as a model with two layer groups (windowed and full) would
  // emit them, a GEMM, and an all-reduce: no work model emits this list today.
  WorkItem windowed = item(Operator::attention_decode, 1e9, 2e8, 24.0);
  windowed.blocks = 24.0 * 64.0;
  WorkItem full = item(Operator::attention_decode, 4e9, 8e8, 8.0);
  full.blocks = 8.0 * 64.0;
  WorkItem allreduce = item(Operator::allreduce, 0.0, 0.0, 65.0);
  allreduce.payload_bytes = 8192.0;
  allreduce.link_bytes = 1.5 * 8192.0;
  WorkItemList items;
  for (const WorkItem& w : {windowed, item(Operator::gemm, 2e12, 3e9, 128.0), full, allreduce}) {
    items.push_back(w);
  }
  const StepCost cost = model.price(items);
  REQUIRE(cost.items.size() == 4);
  double time_s = 0.0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    CAPTURE(i);
    CHECK(cost.items[i].op == items[i].op);
    CHECK(bits(cost.items[i].time_s) == bits(model.price_item(items[i]).time_s));
    time_s += cost.items[i].time_s;
  }
  CHECK(bits(cost.time_s) == bits(time_s + 0.002));
  CHECK(cost.flops == doctest::Approx(4.0 * (1e9 + 2e12 + 4e9)));
  CHECK(cost.hbm_bytes == doctest::Approx(4.0 * (2e8 + 3e9 + 8e8)));
  // Each decode item pays its own kernels and blocks: 24 x 8 us + 1,536 x 30 ns.
  CHECK(cost.items[0].time_s - cost.items[0].roofline_s == doctest::Approx(24.0 * 8e-6 + 1536.0 * 30e-9));
  CHECK(cost.time_s_of(Operator::attention_decode) ==
        doctest::Approx(cost.items[0].time_s + cost.items[2].time_s));
}

TEST_CASE("each item records the bound that won it") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(2));
  WorkItem allreduce = item(Operator::allreduce, 0.0, 0.0, 1.0);
  allreduce.link_bytes = 1e6;
  WorkItemList items;
  items.push_back(item(Operator::gemm, 1e13, 1e9, 0.0));        // 14.4 ms of FLOPs vs 0.4 ms of bytes
  items.push_back(item(Operator::attention_decode, 1e9, 1e10, 0.0));  // 4 us vs 5 ms
  items.push_back(item(Operator::elementwise, 0.0, 1e8, 0.0));  // no compute side
  items.push_back(allreduce);
  const StepCost cost = model.price(items);
  REQUIRE(cost.items.size() == 4);
  CHECK(cost.items[0].bound == Bound::compute);
  CHECK(cost.items[0].compute_s == doctest::Approx(1e13 / (989.4e12 * 0.7)));
  CHECK(cost.items[0].memory_s == doctest::Approx(1e9 / (3.35e12 * 0.8)));
  CHECK(cost.items[0].roofline_s == cost.items[0].compute_s);
  CHECK(cost.items[1].bound == Bound::memory);
  CHECK(cost.items[1].roofline_s == cost.items[1].memory_s);
  CHECK(cost.items[2].bound == Bound::memory);
  CHECK(cost.items[2].compute_s == 0.0);
  CHECK(cost.items[3].bound == Bound::interconnect);
  CHECK(cost.items[3].roofline_s == 0.0);
  // The iteration's bound weighs roofline time: 14.4 ms compute against 5.04 ms memory.
  CHECK(cost.bound == Bound::compute);
}

TEST_CASE("a collective item is priced on the fabric and adds no FLOPs, bytes or roofline") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(8));
  WorkItem allreduce = item(Operator::allreduce, 0.0, 0.0, 65.0);
  allreduce.payload_bytes = 1e6;
  allreduce.link_bytes = 2.0 * 7.0 / 8.0 * 1e6;
  WorkItemList items;
  items.push_back(allreduce);
  const StepCost cost = model.price(items);
  // 65 calls x (10 us + 1.75 MB / (450 GB/s x 0.7)).
  CHECK(cost.items[0].time_s == doctest::Approx(65.0 * (10e-6 + 1.75e6 / (450e9 * 0.7))));
  CHECK(cost.flops == 0.0);
  CHECK(cost.hbm_bytes == 0.0);
  CHECK(cost.bound == Bound::memory);  // nothing on either side of the roofline: a tie
}

TEST_CASE("an empty item list costs the per-iteration host time alone; an empty batch nothing") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1),
                            llmsim::hw::HostTime{.iteration_s = 0.002, .overlapped = false});
  CHECK(model.price(WorkItemList{}).time_s == 0.002);
  CHECK(model.price(llmsim::hw::BatchShape{}).time_s == 0.0);
}

TEST_CASE("the LM head has efficiencies of its own, by name, apart from the GEMMs'") {
  auto hw = t::h100_sxm();
  hw.efficiency[Operator::lm_head].bandwidth = 0.4;  // half the fixture's 0.8
  const auto batch = t::decode_batch(1, 127);
  const StepCost slow_head = StepTimeModel(t::llama_3_1_8b(), hw, t::bf16(), t::tp(1)).price(batch);
  const StepCost base = StepTimeModel(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1)).price(batch);
  CHECK(slow_head.time_s_of(Operator::lm_head) == doctest::Approx(2.0 * base.time_s_of(Operator::lm_head)));
  CHECK(slow_head.time_s_of(Operator::gemm) == base.time_s_of(Operator::gemm));
}

TEST_CASE("work_of sums the items of one operator and is empty for an operator without any") {
  WorkItemList items;
  items.push_back(item(Operator::attention_decode, 1.0, 2.0, 3.0));
  items.push_back(item(Operator::gemm, 10.0, 20.0, 30.0));
  items.push_back(item(Operator::attention_decode, 4.0, 5.0, 6.0));
  const WorkItem decode = llmsim::hw::work_of(items, Operator::attention_decode);
  CHECK(decode.flops == 5.0);
  CHECK(decode.hbm_bytes == 7.0);
  CHECK(decode.kernels == 9.0);
  CHECK(llmsim::hw::work_of(items, Operator::lm_head).empty());
}

TEST_CASE("a rounded roofline prices a memory-only item at its memory time, to the bit") {
  // R(0, m) = m for every exponent, so an operator without a compute side loses nothing.
  for (const double exponent : {0.0, 1.0, 2.0, 3.0, 7.5}) {
    for (const double m : {1e-9, 3.3e-4, 0.1, 12.0}) {
      CHECK(bits(llmsim::hw::roofline_time_s(0.0, m, exponent)) == bits(m));
    }
  }
}
