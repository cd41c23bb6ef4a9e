// CUDA-graph padding (hw/cuda_graphs.h): the captured sizes of vLLM V1's rule, which batches
// an engine pads, and what the padding costs in a priced step.
#include "hw/cuda_graphs.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "hw/batch_shape.h"
#include "hw/step_time_model.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::hw::BatchShape;
using llmsim::hw::CudaGraphPadding;
using llmsim::hw::CudaGraphSpec;
using llmsim::hw::GraphPaddingScope;
using llmsim::hw::StepTimeModel;
using llmsim::hw::vllm_v1_capture_sizes;
namespace t = llmsim::hw::test;

}  // namespace

TEST_CASE("vLLM V1's capture sizes: 1, 2, 4, every 8 below 256, every 16 from 256 to the largest") {
  // max_num_seqs 1024 (vLLM's default on an H100): min(1024 x 2, 512) = 512.
  const std::vector<std::int64_t> sizes = vllm_v1_capture_sizes(1024, 8192, 1);
  REQUIRE(sizes.size() == 3 + 31 + 17);  // {1, 2, 4}, 8..248, 256..512
  CHECK(sizes[0] == 1);
  CHECK(sizes[2] == 4);
  CHECK(sizes[3] == 8);
  CHECK(sizes[33] == 248);
  CHECK(sizes[34] == 256);
  CHECK(sizes[35] == 272);
  CHECK(sizes.back() == 512);
  // max_num_seqs 4: largest 8; a token budget below it caps it; speculative tokens widen it.
  CHECK(vllm_v1_capture_sizes(4, 8192, 1) == std::vector<std::int64_t>{1, 2, 4, 8});
  CHECK(vllm_v1_capture_sizes(256, 100, 1).back() == 96);
  CHECK(vllm_v1_capture_sizes(4, 8192, 4).back() == 32);  // 4 x 4 x 2
}

TEST_CASE("a batch pads to the next captured size; none above the largest or outside the scope") {
  const CudaGraphPadding all{.scope = GraphPaddingScope::all_batches, .sizes = {1, 2, 4, 8, 16}};
  CHECK(all.padding_tokens(t::decode_batch(3, 100)) == 1.0);
  CHECK(all.padding_tokens(t::decode_batch(8, 100)) == 0.0);
  CHECK(all.padding_tokens(t::decode_batch(9, 100)) == 7.0);
  CHECK(all.padding_tokens(t::decode_batch(17, 100)) == 0.0);  // eager
  CHECK(all.padding_tokens(t::prefill_batch(13, 0)) == 3.0);   // a mixed/prefill batch too
  CHECK(all.padding_tokens(BatchShape{}) == 0.0);

  const CudaGraphPadding decode{.scope = GraphPaddingScope::decode_batches, .sizes = {1, 2, 4, 8, 16}};
  CHECK(decode.padding_tokens(t::decode_batch(9, 100)) == 7.0);
  CHECK(decode.padding_tokens(t::prefill_batch(13, 0)) == 0.0);  // prefill runs eagerly

  const CudaGraphPadding none{.scope = GraphPaddingScope::none, .sizes = {1, 2, 4, 8, 16}};
  CHECK(none.padding_tokens(t::decode_batch(9, 100)) == 0.0);
}

TEST_CASE("a spec resolves vLLM's rule at the engine's limits, or keeps its list") {
  const CudaGraphSpec rule{.scope = GraphPaddingScope::all_batches, .vllm_v1_sizes = true, .sizes = {}};
  CHECK(rule.resolve(4, 8192, 1).sizes == std::vector<std::int64_t>{1, 2, 4, 8});
  const CudaGraphSpec list{.scope = GraphPaddingScope::decode_batches, .vllm_v1_sizes = false, .sizes = {1, 3}};
  CHECK(list.resolve(4, 8192, 1).sizes == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("padding tokens cost what the same number of real decode tokens costs in the GEMMs, and no attention") {
  const StepTimeModel model(t::llama_3_1_8b(), t::h100_sxm(), t::bf16(), t::tp(1));
  BatchShape nine = t::decode_batch(9, 1000);
  BatchShape padded = nine;
  padded.graph_padding_tokens = 7.0;
  const double unpadded_s = model.price(nine).time_s;
  const double padded_s = model.price(padded).time_s;
  CHECK(padded_s >= unpadded_s);
  // A padded step does the token work of 16 tokens but attends like 9 sequences: it costs no
  // more than a real 16-sequence step with the same keys.
  BatchShape sixteen = t::decode_batch(16, 1000);
  sixteen.decode_kv_tokens = nine.decode_kv_tokens;
  sixteen.sampled_seqs = nine.sampled_seqs;
  CHECK(padded_s <= model.price(sixteen).time_s + 1e-12);
  // Compute-bound: 4096 real prefill tokens padded by 4096 dummy ones cost more than alone.
  BatchShape prefill = t::prefill_batch(4096, 0);
  BatchShape prefill_padded = prefill;
  prefill_padded.graph_padding_tokens = 4096.0;
  CHECK(model.price(prefill_padded).flops > model.price(prefill).flops);
}

TEST_CASE("in a MoE model the padding rows route alike: one token's experts, every row's FLOPs") {
  const StepTimeModel model(t::mixtral_8x7b(), t::h100_sxm(), t::bf16(), t::tp(1));
  const BatchShape nine = t::decode_batch(9, 1000);
  BatchShape padded = nine;
  padded.graph_padding_tokens = 7.0;
  BatchShape ten = t::decode_batch(10, 1000);
  ten.decode_kv_tokens = nine.decode_kv_tokens;
  ten.sampled_seqs = nine.sampled_seqs;
  BatchShape sixteen = t::decode_batch(16, 1000);
  sixteen.decode_kv_tokens = nine.decode_kv_tokens;
  sixteen.sampled_seqs = nine.sampled_seqs;
  // Weight reads: more than nine tokens', fewer than sixteen real tokens' (which reach more of
  // the 8 experts), the expert reads of ten tokens plus six more tokens' activations.
  CHECK(model.price(padded).hbm_bytes > model.price(nine).hbm_bytes);
  CHECK(model.price(padded).hbm_bytes < model.price(sixteen).hbm_bytes);
  CHECK(model.price(padded).hbm_bytes > model.price(ten).hbm_bytes);
  // FLOPs: every padding row runs its k expert rows, so at least sixteen real tokens' dense
  // and expert rows less the tile rounding.
  CHECK(model.price(padded).flops > model.price(ten).flops);
}
