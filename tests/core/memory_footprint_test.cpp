#include "core/memory_footprint.h"

#include <doctest/doctest.h>

#include <cmath>

#include "core/byte_counts.h"
#include "core/input_error.h"
#include "reference_models.h"

namespace llmsim::core {
namespace {

using doctest::Approx;

// H100 SXM: 80 GB of HBM3 (NVIDIA H100 datasheet), taken as 80e9 bytes.
constexpr double kH100Bytes = 80e9;

MemoryQuery llama_query(std::int64_t batch, std::int64_t tokens, std::int64_t tp) {
  MemoryQuery q;
  q.batch = batch;
  q.sequence_tokens = tokens;
  q.tensor_parallel = tp;
  return q;
}

TEST_CASE("the footprint adds weights, KV cache and activations with the calculator's overheads") {
  const MemoryFootprint f = memory_footprint(testing::llama_3_1_8b(), llama_query(2, 1000, 1));
  const double weights = 8030261248.0 * 2;
  const double kv = 2.0 * 1000 * 131072;
  const double activations = 4.0 * 2 * 1000 * 4096 * 2;  // 4 B S H values of 2 bytes
  CHECK(f.weight_bytes == weights);
  CHECK(f.kv_cache_bytes == kv);
  CHECK(f.activation_bytes == activations);
  CHECK(f.total_bytes() ==
        Approx((weights * 1.05 + kv * 1.05 + activations * 1.1) * 1.05).epsilon(1e-12));
}

TEST_CASE("tensor parallelism splits weights and KV heads but not activations") {
  const MemoryFootprint one = memory_footprint(testing::llama_3_1_8b(), llama_query(1, 1000, 1));
  const MemoryFootprint two = memory_footprint(testing::llama_3_1_8b(), llama_query(1, 1000, 2));
  CHECK(two.weight_bytes == one.weight_bytes / 2);
  CHECK(two.kv_cache_bytes == one.kv_cache_bytes / 2);
  CHECK(two.activation_bytes == one.activation_bytes);
}

TEST_CASE("each GPU keeps one KV head when tensor parallelism exceeds the KV heads") {
  // Llama-3.1-8B has 8 KV heads: on 16 GPUs each holds one, 2 x 32 x 1 x 128 x 2 bytes.
  CHECK(kv_cache_bytes_per_token_per_gpu(testing::llama_3_1_8b(), DType::bf16, 16) == 16384.0);
  CHECK(kv_cache_bytes_per_token_per_gpu(testing::llama_3_1_8b(), DType::bf16, 4) == 32768.0);
  CHECK_THROWS_AS(kv_cache_bytes_per_token_per_gpu(testing::llama_3_1_8b(), DType::bf16, 0),
                  InputError);
}

TEST_CASE("Llama-3.1-8B in bf16 fits an 80 GB GPU and not a 16 GB one") {
  const MemoryFootprint f = memory_footprint(testing::llama_3_1_8b(), llama_query(1, 4096, 1));
  CHECK(fits(f, kH100Bytes));
  CHECK_FALSE(fits(f, 16e9));  // the weights alone are 16.06e9 bytes
}

TEST_CASE("the largest batch that fits solves the footprint for the batch") {
  // Llama-3.1-8B bf16, 4096-token sequences, 80e9 bytes:
  //   fixed = 16,060,522,496 x 1.05; per sequence = 131072 x 4096 x 1.05 + 4 x 4096 x 4096 x 2 x 1.1
  //   batch = floor((80e9 / 1.05 - fixed) / per sequence) = floor(83.4) = 83.
  const double fixed = 16060522496.0 * 1.05;
  const double per_sequence = 131072.0 * 4096 * 1.05 + 4.0 * 4096 * 4096 * 2 * 1.1;
  const auto expected = static_cast<std::int64_t>(std::floor((kH100Bytes / 1.05 - fixed) / per_sequence));
  CHECK(expected == 83);
  const std::int64_t batch = max_batch_that_fits(testing::llama_3_1_8b(), llama_query(1, 4096, 1), kH100Bytes);
  CHECK(batch == expected);
  CHECK(fits(memory_footprint(testing::llama_3_1_8b(), llama_query(batch, 4096, 1)), kH100Bytes));
  CHECK_FALSE(
      fits(memory_footprint(testing::llama_3_1_8b(), llama_query(batch + 1, 4096, 1)), kH100Bytes));
}

TEST_CASE("no batch fits when the weights alone do not") {
  CHECK(max_batch_that_fits(testing::llama_3_1_8b(), llama_query(1, 1024, 1), 16e9) == 0);
}

TEST_CASE("the memory footprint refuses counts out of range") {
  CHECK_THROWS_AS(memory_footprint(testing::llama_3_1_8b(), llama_query(-1, 10, 1)), InputError);
  CHECK_THROWS_AS(memory_footprint(testing::llama_3_1_8b(), llama_query(1, 10, 0)), InputError);
  CHECK_THROWS_AS(max_batch_that_fits(testing::llama_3_1_8b(), llama_query(1, 0, 1), kH100Bytes),
                  InputError);
}

TEST_CASE("the footprint of a pipeline, expert and data-parallel layout is its busiest GPU's") {
  // DeepSeek-V3 as DEP8 (attention DP 8, EP 8): each GPU holds the attention and dense
  // layers whole and an eighth of the routed experts; its DP rank holds an eighth of the batch.
  const ModelSpec v3 = testing::deepseek_v3();
  MemoryQuery q = llama_query(64, 4096, 1);
  q.weights_dtype = DType::fp8;
  q.kv_cache_dtype = DType::fp8;
  q.attention_data_parallel = 8;
  q.expert_parallel = 8;
  const GpuLayout dep{.tensor_parallel = 1, .attention_data_parallel = 8, .expert_parallel = 8};
  const MemoryFootprint f = memory_footprint(v3, q);
  CHECK(f.weight_bytes == weight_bytes_per_gpu(v3, DType::fp8, dep));
  CHECK(f.weight_bytes < weight_bytes(v3, DType::fp8) / 4.0);  // not the whole model: the experts are sharded
  CHECK(f.kv_cache_bytes == Approx(64.0 * 4096 * kv_cache_bytes_per_token_per_gpu(v3, DType::fp8, 1) / 8.0));
  CHECK(f.activation_bytes == Approx(4.0 * 64 * 4096 * static_cast<double>(v3.hidden_size) * 2 / 8.0));
  // Llama-3.1-8B's 32 layers over 2 stages: half the layers' weights and KV per GPU.
  MemoryQuery pp = llama_query(4, 1000, 1);
  pp.pipeline_parallel = 2;
  const MemoryFootprint staged = memory_footprint(testing::llama_3_1_8b(), pp);
  const MemoryFootprint whole = memory_footprint(testing::llama_3_1_8b(), llama_query(4, 1000, 1));
  CHECK(staged.kv_cache_bytes == Approx(whole.kv_cache_bytes / 2.0));
  CHECK(staged.weight_bytes < 0.6 * whole.weight_bytes);
  CHECK(staged.weight_bytes > 0.4 * whole.weight_bytes);
  CHECK(staged.activation_bytes == whole.activation_bytes);
  // A larger batch fits once the layout spreads the model.
  CHECK(max_batch_that_fits(testing::llama_3_1_8b(), pp, kH100Bytes) >
        max_batch_that_fits(testing::llama_3_1_8b(), llama_query(1, 1000, 1), kH100Bytes));
  pp.pipeline_parallel = 0;
  CHECK_THROWS_AS(memory_footprint(testing::llama_3_1_8b(), pp), InputError);
}

}  // namespace
}  // namespace llmsim::core
