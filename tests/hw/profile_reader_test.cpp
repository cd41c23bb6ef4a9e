#include "hw/profile_reader.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/input_error.h"
#include "tests/hw/step_time_fixtures.h"
#include "tests/temp_folder.h"

namespace {

using llmsim::hw::ProfileSample;
using llmsim::hw::Operator;
namespace t = llmsim::hw::test;

/// Writes `content` to <process temp folder>/hw/<dir>/<name> and returns the path.
std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  return llmsim::testing::write_test_file(std::filesystem::path("hw") / dir, name, content);
}

std::string vidur_header() {
  std::string header;
  for (const char* op : {"emb", "input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
                         "post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj",
                         "add"}) {
    header += std::string("time_stats.") + op + ".median,";
  }
  return header + "n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,"
                  "num_tensor_parallel_workers\n";
}

}  // namespace

TEST_CASE("a Vidur mlp.csv row becomes four GEMMs and one elementwise layer sample") {
  // Llama-2-7B shape at 4096 tokens, TP 2: times in ms as Vidur writes them.
  const std::string path = write_file(
      "Llama-2-7b-hf", "mlp.csv",
      vidur_header() +
          "0.2,0.1,1.0,0.15,0.3,0.1,1.7,0.27,0.8,0.05,32,32,4096,11008,32768,True,4096,2\n"
          "0.2,0.1,1.0,0.15,0.3,0.1,1.7,0.27,0.8,0.05,32,32,4096,11008,32768,True,4096,2\n");
  const auto samples = llmsim::hw::read_profile(path, nullptr, t::bf16());
  REQUIRE(samples.size() == 5);  // the repeated (tokens, tp) row is read once
  // QKV on one of 2 GPUs: k = 4096, n = 3 x 4096 / 2 = 6144; 2 x 4096 x 4096 x 6144 FLOPs.
  CHECK(samples[0].name == "qkv_proj");
  CHECK(samples[0].work.op == Operator::gemm);
  CHECK(samples[0].model == "Llama-2-7b-hf");
  CHECK(samples[0].tensor_parallel == 2);
  CHECK(samples[0].work.flops == doctest::Approx(2.0 * 4096 * 4096 * 6144));
  // fp16 bytes: weights 4096 x 6144 plus activations 4096 x (4096 + 6144), 2 bytes each.
  CHECK(samples[0].work.hbm_bytes == doctest::Approx(2.0 * (4096.0 * 6144 + 4096.0 * 10240)));
  CHECK(samples[0].measured_s == doctest::Approx(1.0e-3));
  // Gated up projection: n = 2 x 11008 / 2 = 11008.
  CHECK(samples[2].name == "mlp_up_proj");
  CHECK(samples[2].work.flops == doctest::Approx(2.0 * 4096 * 4096 * 11008));
  CHECK(samples[3].name == "mlp_down_proj");
  // Elementwise: the five kernels summed (0.1 + 0.15 + 0.1 + 0.27 + 0.05 ms), emb left out;
  // bytes 2 x T x (8h + 2(q + kv) + 3 I / p) = 2 x 4096 x (32768 + 8192 + 16512).
  CHECK(samples[4].work.op == Operator::elementwise);
  CHECK(samples[4].work.kernels == 5.0);
  CHECK(samples[4].measured_s == doctest::Approx(0.67e-3));
  CHECK(samples[4].work.hbm_bytes == doctest::Approx(2.0 * 4096 * (32768 + 8192 + 16512)));
}

TEST_CASE("our own measurement format prices the named operator of the given model") {
  const std::string path = write_file("own", "measured.csv",
                                      "# comment lines are skipped\n"
                                      "op,tokens,context,batch,tp,measured_s\n"
                                      "o_proj,128,0,1,1,2e-5\n"
                                      "attention_decode,1,1023,8,1,1e-4\n"
                                      "attention_prefill,512,0,2,1,3e-4\n");
  const auto model = t::llama_3_1_8b();
  const auto samples = llmsim::hw::read_profile(path, &model, t::bf16());
  REQUIRE(samples.size() == 3);
  CHECK(samples[0].work.flops == doctest::Approx(2.0 * 128 * 4096 * 4096));
  // Decode: 8 sequences x 1024 keys x one layer's KV (2 x 8 heads x 128 x 2 bytes = 4096).
  CHECK(samples[1].work.op == Operator::attention_decode);
  CHECK(samples[1].work.hbm_bytes == doctest::Approx(8.0 * 1024 * 4096));
  CHECK(samples[1].work.blocks == doctest::Approx(8.0 * 8));  // a block per (sequence, KV head)
  // Prefill: 2 sequences of 512 causal tokens: 2 x 512 x 513 / 2 pairs x 4 x 4096 FLOPs.
  CHECK(samples[2].work.op == Operator::attention_prefill);
  CHECK(samples[2].work.flops == doctest::Approx(2.0 * 512 * 513 / 2.0 * 4.0 * 4096));
}

TEST_CASE("NCCL all-reduce rows keep single-node groups and count ring bytes") {
  const std::string path = write_file(
      "nccl", "all_reduce.csv",
      ",time_stats.all_reduce.min,time_stats.all_reduce.max,time_stats.all_reduce.mean,"
      "time_stats.all_reduce.median,time_stats.all_reduce.std,rank,num_workers,size,collective,"
      "devices_per_node,max_devices_per_node\n"
      "0,0.1,0.1,0.1,0.1,0,0,8,1048576,all_reduce,8,8\n"
      "1,0.5,0.5,0.5,0.5,0,0,2,1048576,all_reduce,1,8\n");
  const auto samples = llmsim::hw::read_profile(path, nullptr, t::bf16());
  REQUIRE(samples.size() == 1);  // the 2-node row is skipped
  CHECK(samples[0].work.op == Operator::allreduce);
  CHECK(samples[0].work.link_bytes == doctest::Approx(2.0 * 7.0 / 8.0 * 1048576));
  CHECK(samples[0].measured_s == doctest::Approx(1e-4));
}

TEST_CASE("profiles without a model shape need a model") {
  const std::string path = write_file("own", "no_model.csv",
                                      "op,tokens,context,batch,tp,measured_s\no_proj,1,0,1,1,1e-5\n");
  CHECK_THROWS_AS(llmsim::hw::read_profile(path, nullptr, t::bf16()), llmsim::core::InputError);
}

TEST_CASE("bad profile input is an input error that names file and line") {
  const auto model = t::llama_3_1_8b();
  const std::string unknown = write_file("bad", "unknown.csv", "a,b\n1,2\n");
  CHECK_THROWS_AS(llmsim::hw::read_profile(unknown, &model, t::bf16()), llmsim::core::InputError);
  const std::string negative = write_file("bad", "negative.csv",
                                          "op,tokens,context,batch,tp,measured_s\no_proj,1,0,1,1,-1\n");
  try {
    llmsim::hw::read_profile(negative, &model, t::bf16());
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(error.line() == 2);
    CHECK(error.key_path() == "measured_s");
  }
  const std::string bad_op = write_file("bad", "bad_op.csv",
                                        "op,tokens,context,batch,tp,measured_s\nconv,1,0,1,1,1e-5\n");
  CHECK_THROWS_AS(llmsim::hw::read_profile(bad_op, &model, t::bf16()), llmsim::core::InputError);
}
