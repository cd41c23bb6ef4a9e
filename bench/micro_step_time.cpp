// Micro benchmark: pricing one iteration with StepTimeModel (its work items, then the one
// pricing loop), the call the simulator makes once per iteration.
#include <benchmark/benchmark.h>

#include "bench/llama_shape.h"
#include "hw/hardware_spec.h"
#include "hw/step_time_model.h"

using llmsim::bench::llama_3_1_8b;

namespace {

/// H100 SXM datasheet: 989.4 TFLOP/s dense bf16, 3.35 TB/s HBM3, 450 GB/s NVLink per direction.
llmsim::hw::HardwareSpec h100_sxm() {
  llmsim::hw::HardwareSpec hw;
  hw.id = "h100-sxm";
  hw.peak.bf16_flops_per_s = 989.4e12;
  hw.peak.fp8_flops_per_s = 1978.9e12;
  hw.hbm_bandwidth_bytes_per_s = 3.35e12;
  hw.interconnect_bandwidth_bytes_per_s = 450e9;
  return hw;
}

/// A 512-token prefill chunk on 1,536 cached tokens plus 255 decodes averaging 1,500 keys.
llmsim::hw::BatchShape mixed_batch() {
  llmsim::hw::BatchShape b;
  b.prefill_seqs = 1;
  b.prefill_tokens = 512;
  b.prefill_attention_pairs = 512.0 * 1536.0 + 512.0 * 513.0 / 2.0;
  b.prefill_kv_tokens = 2048.0;
  b.decode_seqs = 255;
  b.decode_kv_tokens = 255.0 * 1500.0;
  b.sampled_seqs = 255;
  return b;
}

void BM_PriceMixedBatch(benchmark::State& state) {
  const llmsim::hw::StepTimeModel model(llama_3_1_8b(), h100_sxm(), llmsim::hw::Precision{},
                                        llmsim::hw::Parallelism{static_cast<int>(state.range(0))});
  llmsim::hw::BatchShape batch = mixed_batch();
  for (auto _ : state) {
    benchmark::DoNotOptimize(batch);
    const llmsim::hw::StepCost cost = model.price(batch);
    benchmark::DoNotOptimize(cost);
  }
}
BENCHMARK(BM_PriceMixedBatch)->Arg(1)->Arg(2);

/// The same with the rounded roofline (c^k + m^k)^(1/k), k = 2, as the calibrated
/// configs/hardware presets set it: a square root per roofline item.
void BM_PriceMixedBatchRoundedRoofline(benchmark::State& state) {
  llmsim::hw::HardwareSpec hw = h100_sxm();
  hw.efficiency.roofline_exponent = 2.0;
  const llmsim::hw::StepTimeModel model(llama_3_1_8b(), hw, llmsim::hw::Precision{},
                                        llmsim::hw::Parallelism{1});
  llmsim::hw::BatchShape batch = mixed_batch();
  for (auto _ : state) {
    benchmark::DoNotOptimize(batch);
    const llmsim::hw::StepCost cost = model.price(batch);
    benchmark::DoNotOptimize(cost);
  }
}
BENCHMARK(BM_PriceMixedBatchRoundedRoofline);

/// A pure decode batch, as every step of a decode stretch prices: 256 sequences.
void BM_PriceDecodeBatch(benchmark::State& state) {
  llmsim::hw::HardwareSpec hw = h100_sxm();
  hw.efficiency.roofline_exponent = 2.0;
  const llmsim::hw::StepTimeModel model(llama_3_1_8b(), hw, llmsim::hw::Precision{},
                                        llmsim::hw::Parallelism{1});
  llmsim::hw::BatchShape batch;
  batch.decode_seqs = 256;
  batch.decode_kv_tokens = 256.0 * 1500.0;
  batch.sampled_seqs = 256;
  for (auto _ : state) {
    batch.decode_kv_tokens += 256.0;  // the next step attends one more key per sequence
    benchmark::DoNotOptimize(batch);
    const llmsim::hw::StepCost cost = model.price(batch);
    benchmark::DoNotOptimize(cost);
  }
}
BENCHMARK(BM_PriceDecodeBatch);

}  // namespace

BENCHMARK_MAIN();
