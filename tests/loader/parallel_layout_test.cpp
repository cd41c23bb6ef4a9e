// Pipeline, attention-data and expert parallelism (issue 24) on the shipped presets: the
// physical checks the issue names (EP all-to-all bytes are the routed hidden states; PP
// throughput never exceeds the slowest stage), the stage cut, memory per GPU, the expert
// load factor, and the layouts refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/byte_counts.h"
#include "core/input_error.h"
#include "core/memory_footprint.h"
#include "core/parameter_counts.h"
#include "hw/batch_shape.h"
#include "hw/expert_balance.h"
#include "hw/parallel_layout.h"
#include "hw/step_time_model.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "tests/hw/step_time_fixtures.h"

namespace {

using llmsim::core::DType;
using llmsim::core::GpuLayout;
using llmsim::hw::BatchShape;
using llmsim::hw::Operator;
using llmsim::hw::Parallelism;
using llmsim::hw::Precision;
using llmsim::hw::RankShare;
using llmsim::hw::StageSlice;
using llmsim::hw::StepTimeModel;
using llmsim::hw::WorkItem;
using llmsim::hw::WorkItemList;
using llmsim::loader::load_hardware;
using llmsim::loader::load_model;

// One-token decodes and whole prompts: tests/hw/step_time_fixtures.h.
using llmsim::hw::test::decode_batch;
using llmsim::hw::test::prompt_batch;

const WorkItem* find(const WorkItemList& items, Operator op) {
  for (const WorkItem& item : items) {
    if (item.op == op) return &item;
  }
  return nullptr;
}

Precision fp8() { return Precision{.weights = DType::fp8, .kv_cache = DType::fp8, .activations = DType::bf16}; }

Parallelism dep(int ranks, llmsim::hw::ExpertBalancer balancer = llmsim::hw::ExpertBalancer::none) {
  return Parallelism{
      .tensor_parallel = 1, .attention_data_parallel = ranks, .expert_parallel = ranks, .expert_balancer = balancer};
}

RankShare decode_share(double group_tokens, double ranks) {
  RankShare share;
  share.decode_seqs = group_tokens / ranks;
  share.decode_kv_tokens = share.decode_seqs * 1000.0;
  share.sampled_seqs = share.decode_seqs;
  share.group_tokens = group_tokens;
  return share;
}

// DeepEP's FP8 dispatch: one byte per element plus a 4-byte scale per 128 channels.
constexpr double kFp8Dispatch = 1.0 + 4.0 / 128.0;

}  // namespace

TEST_CASE("EP all-to-all, decode (low-latency kernels): every (token, expert) pair, FP8 out and bf16 back") {
  const auto model = load_model("deepseek-v3");
  const auto h200 = load_hardware("h200");
  const StepTimeModel dep8(model, h200, fp8(), dep(8));
  const StepTimeModel dep8_bf16(model, h200, Precision{}, dep(8));
  const double h = static_cast<double>(model.hidden_size);
  const double k = static_cast<double>(model.experts_per_token);
  for (const double group_tokens : {8.0, 256.0, 8192.0}) {
    const RankShare share = decode_share(group_tokens, 8.0);
    const WorkItemList items = dep8.work_model().stage_items(share, dep8.stages().front());
    const WorkItem* a2a = find(items, Operator::all_to_all);
    REQUIRE(a2a != nullptr);
    // Over the 8 GPUs, the dispatch moves every token's hidden state to each of its k
    // experts in FP8, the combine brings each back in bf16: the payload is the mean call.
    CHECK(a2a->payload_bytes * 8.0 * 2.0 == doctest::Approx(group_tokens * k * h * (kFp8Dispatch + 2.0)));
    // Dispatch and combine in each of the 58 MoE layers (61 layers, 3 dense).
    CHECK(a2a->kernels == doctest::Approx(2.0 * 58.0));
    // Uniform routing keeps 1/8 of a GPU's pairs on it: 7/8 cross NVLink, none scale-out.
    CHECK(a2a->link_bytes == doctest::Approx(a2a->payload_bytes * 7.0 / 8.0));
    CHECK(a2a->scale_out_link_bytes == 0.0);
    // With bf16 weights DeepEP dispatches bf16: the routed hidden states, each way.
    const WorkItemList bf16_items = dep8_bf16.work_model().stage_items(share, dep8_bf16.stages().front());
    const WorkItem* bf16_a2a = find(bf16_items, Operator::all_to_all);
    REQUIRE(bf16_a2a != nullptr);
    CHECK(bf16_a2a->payload_bytes * 8.0 == doctest::Approx(group_tokens * k * h * 2.0));
  }
}

TEST_CASE("EP all-to-all, prefill (normal kernels): a token goes once to each GPU holding one of its experts") {
  const auto model = load_model("deepseek-v3");
  const auto h200 = load_hardware("h200");
  const StepTimeModel dep8(model, h200, fp8(), dep(8));
  const double h = static_cast<double>(model.hidden_size);
  RankShare share;
  share.prefill_tokens = 1024.0;
  share.prefill_attention_pairs = 1024.0 * 1025.0 / 2.0;
  share.prefill_kv_tokens = 1024.0;
  share.group_tokens = 8.0 * 1024.0;
  const WorkItemList items = dep8.work_model().stage_items(share, dep8.stages().front());
  const WorkItem* a2a = find(items, Operator::all_to_all);
  REQUIRE(a2a != nullptr);
  // 8 of 256 experts, 32 per GPU: a GPU is missed with probability C(224, 8) / C(256, 8).
  double missed = 1.0;
  for (int i = 0; i < 8; ++i) missed *= (224.0 - i) / (256.0 - i);
  const double ranks = 8.0 * (1.0 - missed);
  CHECK(ranks == doctest::Approx(5.295).epsilon(0.001));  // 8 x (1 - 0.3382)
  CHECK(a2a->payload_bytes * 8.0 * 2.0 == doctest::Approx(share.group_tokens * ranks * h * (kFp8Dispatch + 2.0)));
}

TEST_CASE("Distinct EP GPUs per token: the formula's limits, a hand case and a random routing") {
  using llmsim::hw::expected_distinct_ranks;
  CHECK(expected_distinct_ranks(256.0, 8.0, 1) == 1.0);
  CHECK(expected_distinct_ranks(256.0, 8.0, 256) == doctest::Approx(8.0));  // one expert a GPU
  // 4 experts on 2 GPUs, 2 chosen: both on one GPU in 2 of the C(4, 2) = 6 choices.
  CHECK(expected_distinct_ranks(4.0, 2.0, 2) == doctest::Approx(2.0 * (1.0 - 1.0 / 6.0)));
  // A uniform random routing of 20,000 tokens (fixed seed) agrees within 1%.
  for (const int ep : {8, 32, 64}) {
    std::mt19937 random(7U);
    std::vector<int> experts(256);
    for (int e = 0; e < 256; ++e) experts[static_cast<std::size_t>(e)] = e;
    double total = 0.0;
    constexpr int kTokens = 20000;
    for (int t = 0; t < kTokens; ++t) {
      std::shuffle(experts.begin(), experts.end(), random);
      std::vector<bool> hit(static_cast<std::size_t>(ep), false);
      for (int j = 0; j < 8; ++j) hit[static_cast<std::size_t>(experts[static_cast<std::size_t>(j)] / (256 / ep))] = true;
      total += static_cast<double>(std::count(hit.begin(), hit.end(), true));
    }
    CHECK(total / kTokens == doctest::Approx(expected_distinct_ranks(256.0, 8.0, ep)).epsilon(0.01));
  }
}

TEST_CASE("EP across nodes: the pairs outside the GPU's domain go over scale-out, the busiest GPU's load") {
  const auto model = load_model("deepseek-v3");
  const auto h100 = load_hardware("h100-sxm");  // 8-GPU NVLink domain, one 400 Gb/s NIC per GPU
  const StepTimeModel dep32(model, h100, fp8(), dep(32, llmsim::hw::ExpertBalancer::eplb));
  RankShare share;
  share.prefill_tokens = 4096.0;
  share.prefill_attention_pairs = 4096.0 * 4097.0 / 2.0;
  share.prefill_kv_tokens = 4096.0;
  share.group_tokens = 32.0 * 4096.0;
  share.expert_load = 1.5;
  const WorkItemList items = dep32.work_model().stage_items(share, dep32.stages().front());
  const WorkItem* a2a = find(items, Operator::all_to_all);
  REQUIRE(a2a != nullptr);
  const double busiest = a2a->payload_bytes * 1.5;  // the mean GPU's messages x the load factor
  // Normal kernels (a prefill step) forward across nodes: a token crosses scale-out once per
  // other node holding one of its experts (4 nodes of 64 experts: missed when all 8 lie in
  // the other 192; 3/4 of the nodes reached are not its own), of its distinct GPUs' messages,
  // and every message but the one landing on its GPU moves over NVLink (7/8).
  double missed = 1.0;
  for (int i = 0; i < 8; ++i) missed *= (192.0 - i) / (256.0 - i);
  const double remote_nodes = 4.0 * (1.0 - missed) * 3.0 / 4.0;
  CHECK(a2a->link_bytes == doctest::Approx(busiest * 7.0 / 8.0));
  CHECK(a2a->scale_out_link_bytes ==
        doctest::Approx(busiest * remote_nodes / llmsim::hw::expected_distinct_ranks(256.0, 8.0, 32)));
  CHECK(a2a->scale_out_steps == 1.0);
  // Low-latency kernels (a decode step) send every pair straight: 7/32 of them within the
  // node, 24/32 over scale-out.
  RankShare decode_share;
  decode_share.decode_seqs = 4096.0;
  decode_share.decode_kv_tokens = 4096.0 * 1000.0;
  decode_share.sampled_seqs = 4096.0;
  decode_share.group_tokens = share.group_tokens;
  decode_share.expert_load = 1.5;
  const WorkItemList decode_items = dep32.work_model().stage_items(decode_share, dep32.stages().front());
  const WorkItem* decode_a2a = find(decode_items, Operator::all_to_all);
  REQUIRE(decode_a2a != nullptr);
  const double decode_busiest = decode_a2a->payload_bytes * 1.5;
  CHECK(decode_a2a->link_bytes == doctest::Approx(decode_busiest * 7.0 / 32.0));
  CHECK(decode_a2a->scale_out_link_bytes == doctest::Approx(decode_busiest * 24.0 / 32.0));
}

TEST_CASE("EP with one attention rank: no all-to-all; experts whole, 1/EP of the pairs per GPU") {
  const auto model = load_model("deepseek-v3");
  const auto h200 = load_hardware("h200");
  const StepTimeModel tp8(model, h200, fp8(), Parallelism{.tensor_parallel = 8});
  const StepTimeModel tp8_ep8(model, h200, fp8(), Parallelism{.tensor_parallel = 8, .expert_parallel = 8});
  const BatchShape batch = prompt_batch(4, 2048);
  RankShare share;  // the whole batch: one attention rank
  share.prefill_tokens = 8192.0;
  share.prefill_attention_pairs = batch.prefill_attention_pairs;
  share.prefill_kv_tokens = batch.prefill_kv_tokens;
  share.sampled_seqs = 4.0;
  share.group_tokens = 8192.0;
  const WorkItemList ep_items = tp8_ep8.work_model().stage_items(share, tp8_ep8.stages().front());
  CHECK(find(ep_items, Operator::all_to_all) == nullptr);
  // The GEMM FLOPs on a GPU are the same split either way (an eighth of every expert, or
  // an eighth of the experts), up to rounding: sharding moves FLOPs, it does not add any.
  double ep_flops = 0.0;
  for (const WorkItem& item : ep_items) {
    if (item.op == Operator::gemm) ep_flops += item.flops;
  }
  const WorkItemList tp_items = tp8.work(batch);
  const WorkItem* tp_gemm = find(tp_items, Operator::gemm);
  REQUIRE(tp_gemm != nullptr);
  CHECK(ep_flops == doctest::Approx(tp_gemm->flops).epsilon(1e-9));
}

TEST_CASE("attention DP: each rank's decode attention is 1/DP of the batch's") {
  const auto model = load_model("deepseek-v3");
  const auto h200 = load_hardware("h200");
  const StepTimeModel dep8(model, h200, fp8(), dep(8));
  const StepTimeModel tp1_one_rank(model, h200, fp8(), Parallelism{.tensor_parallel = 1});
  // 8 x 32 sequences over 8 ranks: each rank decodes 32, as one GPU with 32 would.
  const auto dep_cost = dep8.price(decode_batch(256, 2000));
  const WorkItemList one_gpu_items = tp1_one_rank.work(decode_batch(32, 2000));
  const WorkItem* one_gpu = find(one_gpu_items, Operator::attention_decode);
  REQUIRE(one_gpu != nullptr);
  const auto* rank = dep_cost.item_of(Operator::attention_decode);
  REQUIRE(rank != nullptr);
  CHECK(rank->time_s == doctest::Approx(tp1_one_rank.price_item(*one_gpu).time_s));
}

TEST_CASE("the expert load factor: >= 1, grows with EP at fixed tokens per rank, chance fades with tokens") {
  using llmsim::hw::expert_load_factor;
  using llmsim::hw::ExpertBalancer;
  using llmsim::hw::slot_load_cv;
  CHECK(expert_load_factor(100.0, 1, 8.0, 0.8) == 1.0);
  // 256 pairs per GPU over 8 GPUs, uniform routing: 1 + sqrt(2 ln 8 x 7/8 / 256) = 1.1331.
  CHECK(expert_load_factor(256.0, 8, 32.0, 0.0) == doctest::Approx(1.0 + std::sqrt(2.0 * std::log(8.0) * 0.875 / 256.0)));
  // Uniform routing and many tokens: perfectly balanced.
  CHECK(expert_load_factor(1e12, 8, 32.0, 0.0) == doctest::Approx(1.0).epsilon(1e-5));
  for (const ExpertBalancer balancer : {ExpertBalancer::none, ExpertBalancer::eplb}) {
    const double cv = slot_load_cv(balancer);
    CAPTURE(cv);
    for (const double tokens_per_rank : {1.0, 32.0, 256.0, 4096.0, 16384.0}) {
      double previous = 1.0;
      // DeepSeek-V3 with EPLB's 288 slots, top-8, one GPU per DP rank: the pairs per GPU
      // (T_g k / EP = tokens per rank x k) do not change with EP, the slots per GPU do.
      for (const int ep : {2, 4, 8, 16, 32, 72, 96, 144, 288}) {
        const double factor = expert_load_factor(tokens_per_rank * 8.0, ep, 288.0 / ep, cv);
        CAPTURE(ep);
        CAPTURE(tokens_per_rank);
        CHECK(factor >= 1.0);
        CHECK(factor >= previous);
        previous = factor;
      }
    }
    // More tokens per rank: less chance imbalance, down to the balancer's residual.
    const double residual = 1.0 + std::sqrt(2.0 * std::log(32.0) * (31.0 / 32.0) * cv * cv / 9.0);
    CHECK(expert_load_factor(8.0, 32, 9.0, cv) > expert_load_factor(8.0 * 256.0, 32, 9.0, cv));
    CHECK(expert_load_factor(8.0 * 256.0, 32, 9.0, cv) > expert_load_factor(8.0 * 16384.0, 32, 9.0, cv));
    CHECK(expert_load_factor(1e15, 32, 9.0, cv) == doctest::Approx(residual).epsilon(1e-6));
  }
  CHECK(slot_load_cv(ExpertBalancer::none) > slot_load_cv(ExpertBalancer::eplb));
}

TEST_CASE("the balancers' residuals reproduce the LMSYS EP32 prefill point they are derived from") {
  using llmsim::hw::expert_load_factor;
  using llmsim::hw::ExpertBalancer;
  using llmsim::hw::slot_load_cv;
  const double pairs = 16384.0 * 8.0;  // the mean GPU's, at 16,384 tokens per GPU
  const double random = expert_load_factor(pairs, 32, 9.0, 0.0);
  // EPLB with 288 slots (9 per GPU) is 59,337 / 50,302 slower than random routing.
  CHECK(expert_load_factor(pairs, 32, 9.0, slot_load_cv(ExpertBalancer::eplb)) / random ==
        doctest::Approx(59337.0 / 50302.0));
  // No balancer, 256 experts (8 per GPU): 1.49 times slower again.
  CHECK(expert_load_factor(pairs, 32, 8.0, slot_load_cv(ExpertBalancer::none)) / random ==
        doctest::Approx(1.49 * 59337.0 / 50302.0));
  CHECK(slot_load_cv(ExpertBalancer::eplb) == doctest::Approx(0.218).epsilon(0.005));
  CHECK(slot_load_cv(ExpertBalancer::none) == doctest::Approx(0.843).epsilon(0.005));
}

TEST_CASE("wide EP at 256 sequences per rank: per-GPU decode throughput falls as EP grows") {
  // vLLM's wide-EP shape (DeepSeek-V3, EPLB's 288 slots, H200s, 256 sequences of 3,000
  // tokens per rank): the busiest GPU's load grows with EP faster than each GPU's share of
  // expert weights shrinks, so tokens per GPU-second do not rise with EP.
  auto model = load_model("deepseek-v3");
  model.num_experts = 288;
  const auto h200 = load_hardware("h200");
  double previous = 0.0;
  for (const int ep : {32, 72, 96, 144}) {
    const StepTimeModel step(model, h200, fp8(), dep(ep, llmsim::hw::ExpertBalancer::eplb));
    const double per_gpu = 256.0 / step.price(decode_batch(256 * ep, 3000)).time_s;
    CAPTURE(ep);
    if (previous > 0.0) CHECK(per_gpu <= previous);
    previous = per_gpu;
  }
}

TEST_CASE("PP stages: vLLM's cut, the send between stages, and the domain it crosses") {
  CHECK(llmsim::hw::pipeline_stage_layers(126, 2) == std::vector<int>{63, 63});
  CHECK(llmsim::hw::pipeline_stage_layers(61, 4) == std::vector<int>{15, 15, 16, 15});
  CHECK(llmsim::hw::pipeline_stage_layers(5, 3) == std::vector<int>{2, 2, 1});
  const auto h100 = load_hardware("h100-sxm");
  const auto two_nodes = llmsim::hw::pipeline_stages(126, Parallelism{.tensor_parallel = 8, .pipeline_parallel = 2}, h100.fabric);
  REQUIRE(two_nodes.size() == 2);
  CHECK(two_nodes[0].send_crosses_domain);
  CHECK(two_nodes[0].first);
  CHECK(two_nodes[1].last);
  const auto one_node = llmsim::hw::pipeline_stages(32, Parallelism{.tensor_parallel = 2, .pipeline_parallel = 4}, h100.fabric);
  CHECK_FALSE(one_node[0].send_crosses_domain);
  CHECK_FALSE(one_node[2].send_crosses_domain);

  // The send carries hidden_states and residual of every token: 2 x h x 2 bytes, 1/TP of it
  // over the NIC per GPU, the rest gathered over NVLink.
  const auto model = load_model("llama-3.1-70b");
  const StepTimeModel pp2(model, h100, Precision{}, Parallelism{.tensor_parallel = 8, .pipeline_parallel = 2});
  RankShare share;
  share.decode_seqs = 64.0;
  share.decode_kv_tokens = 64.0 * 1000.0;
  share.sampled_seqs = 64.0;
  share.group_tokens = 64.0;
  const WorkItemList first_stage = pp2.work_model().stage_items(share, pp2.stages()[0]);
  const WorkItem* send = find(first_stage, Operator::send_recv);
  REQUIRE(send != nullptr);
  CHECK(send->payload_bytes == doctest::Approx(2.0 * 8192.0 * 2.0 * 64.0));
  CHECK(send->scale_out_link_bytes == doctest::Approx(send->payload_bytes / 8.0));
  CHECK(send->link_bytes == doctest::Approx(send->payload_bytes * 7.0 / 8.0));
  CHECK(find(pp2.work_model().stage_items(share, pp2.stages()[1]), Operator::send_recv) == nullptr);
  CHECK(find(first_stage, Operator::lm_head) == nullptr);
}

TEST_CASE("PP throughput never exceeds the slowest stage; one sequence is never faster than unpipelined") {
  const auto model = load_model("llama-3.1-8b");
  const auto h100 = load_hardware("h100-sxm");
  for (const int stages : {2, 3, 4}) {
    const StepTimeModel pp(model, h100, Precision{}, Parallelism{.pipeline_parallel = stages});
    const StepTimeModel plain(model, h100, Precision{}, Parallelism{});
    for (const std::int64_t seqs : {1, 2, 3, 8, 64, 256}) {
      CAPTURE(stages);
      CAPTURE(seqs);
      const BatchShape batch = decode_batch(seqs, 1500);
      const double step_s = pp.price(batch).time_s;
      // Each stage priced alone for one micro-batch (an even share of the batch).
      const double micro = static_cast<double>(std::min<std::int64_t>(seqs, stages));
      RankShare share;
      share.decode_seqs = std::ceil(static_cast<double>(seqs) / micro);
      share.decode_kv_tokens = static_cast<double>(seqs) * 1501.0 / micro;
      share.sampled_seqs = share.decode_seqs;
      share.group_tokens = share.decode_seqs;
      double slowest = 0.0;
      double sum = 0.0;
      for (const StageSlice& stage : pp.stages()) {
        double t = h100.efficiency.per_layer_overhead_s * stage.layers;
        for (const WorkItem& item : pp.work_model().stage_items(share, stage)) t += pp.price_item(item).time_s;
        slowest = std::max(slowest, t);
        sum += t;
      }
      const double tokens_per_s = static_cast<double>(seqs) / step_s;
      CHECK(tokens_per_s <= share.decode_seqs / slowest * (1.0 + 1e-12));
      CHECK(step_s >= sum * (1.0 - 1e-12));  // a micro-batch crosses every stage
      if (seqs == 1) CHECK(step_s > plain.price(batch).time_s);
    }
  }
}

TEST_CASE("memory per GPU: experts / EP plus the replicated attention; a stage's layers; KV per DP rank") {
  const auto v3 = load_model("deepseek-v3");
  const auto params = llmsim::core::count_parameters(v3);
  const double routed = llmsim::core::routed_expert_parameters(v3);
  // DEP8, TP1: everything but the routed experts on each GPU, plus an eighth of the experts (fp8: 1 byte).
  CHECK(llmsim::core::weight_bytes_per_gpu(v3, DType::fp8, GpuLayout{.attention_data_parallel = 8, .expert_parallel = 8}) ==
        doctest::Approx(params.total - routed + routed / 8.0));
  // TP8 alone: an eighth of everything, the existing formula.
  CHECK(llmsim::core::weight_bytes_per_gpu(v3, DType::fp8, GpuLayout{.tensor_parallel = 8}) ==
        llmsim::core::weight_bytes(v3, DType::fp8) / 8.0);
  // KV: each DP rank holds its own sequences' whole latent.
  CHECK(llmsim::core::kv_cache_bytes_per_token_per_gpu(v3, DType::fp8, GpuLayout{.attention_data_parallel = 8,
                                                                                 .expert_parallel = 8}) ==
        doctest::Approx(llmsim::core::kv_cache_bytes_per_token(v3, DType::fp8) / 8.0));

  // Llama-3.1-70B, PP2 x TP8 (80 layers: 40 per stage): a stage holds half the layers and
  // one of the untied embedding pair, / 8.
  const auto l70 = load_model("llama-3.1-70b");
  const auto p70 = llmsim::core::count_parameters(l70);
  CHECK(llmsim::core::weight_bytes_per_gpu(l70, DType::bf16, GpuLayout{.tensor_parallel = 8, .pipeline_parallel = 2}) ==
        doctest::Approx(2.0 * (p70.non_embedding / 2.0 + p70.embedding / 2.0) / 8.0));
  CHECK(llmsim::core::kv_cache_bytes_per_token_per_gpu(l70, DType::bf16, GpuLayout{.tensor_parallel = 8, .pipeline_parallel = 2}) ==
        doctest::Approx(llmsim::core::kv_cache_bytes_per_token_per_gpu(l70, DType::bf16, 8) / 2.0));
}

TEST_CASE("refused layouts name their key") {
  const auto v3 = load_model("deepseek-v3");
  const auto l8 = load_model("llama-3.1-8b");
  const auto h200 = load_hardware("h200");
  const auto l40s = load_hardware("l40s");
  const auto key_of = [](const llmsim::core::ModelSpec& m, const llmsim::hw::HardwareSpec& hw, Parallelism p) {
    const auto problem = llmsim::hw::parallel_layout_problem(m, p, hw.fabric);
    return problem ? problem->key : std::string("none");
  };
  CHECK(key_of(v3, h200, dep(8)) == "none");
  CHECK(key_of(v3, h200, Parallelism{.attention_data_parallel = 3, .expert_parallel = 3}) == "expert_parallel");  // 256 % 3
  CHECK(key_of(v3, h200, Parallelism{.tensor_parallel = 2, .attention_data_parallel = 4, .expert_parallel = 4}) ==
        "expert_parallel");  // not DP x TP
  CHECK(key_of(l8, h200, Parallelism{.tensor_parallel = 2, .expert_parallel = 2}) == "expert_parallel");  // dense
  CHECK(key_of(l8, h200, Parallelism{.attention_data_parallel = 2}) == "attention_data_parallel");
  CHECK(key_of(l8, h200, Parallelism{.pipeline_parallel = 33}) == "pipeline_parallel");  // 32 layers
  CHECK(key_of(l8, l40s, Parallelism{.tensor_parallel = 8, .pipeline_parallel = 2}) == "pipeline_parallel");  // no NIC
  CHECK(key_of(l8, h200, Parallelism{.tensor_parallel = 4, .pipeline_parallel = 3}) == "none");  // 12 GPUs, two nodes
  CHECK(key_of(l8, h200, Parallelism{.tensor_parallel = 1, .pipeline_parallel = 3}) == "none");
  CHECK(key_of(v3, l40s, dep(16)) == "expert_parallel");  // a stage past the PCIe domain with no NIC
  CHECK_THROWS_AS(StepTimeModel(l8, h200, Precision{}, Parallelism{.pipeline_parallel = 40}), llmsim::core::InputError);
}

TEST_CASE("the qwen3-235b-a22b preset counts the model card's 235B total and 22B active parameters") {
  // Per layer: attention 4096 x 8192 (q) + 2 x 4096 x 512 (k, v) + 8192 x 4096 (o) = 71,303,168;
  // 128 experts x 3 x 4096 x 1536 = 2,415,919,104; router 4096 x 128; norms. 94 layers plus
  // the untied embedding and head 2 x 151,936 x 4096 = 1,244,659,712: about 235.09e9. Active:
  // attention + 8 experts (150,994,944) + router per layer, x 94, + embeddings: about 22.19e9.
  const auto params = llmsim::core::count_parameters(load_model("qwen3-235b-a22b"));
  CHECK(params.total == doctest::Approx(235.09e9).epsilon(0.002));
  CHECK(params.active == doctest::Approx(22.19e9).epsilon(0.002));
}

TEST_CASE("Two-batch overlap hides at most the all-to-all, and only when there are two halves to run") {
  const auto model = load_model("deepseek-v3");
  const auto h100 = load_hardware("h100-sxm");
  Parallelism plain = dep(32, llmsim::hw::ExpertBalancer::eplb);
  Parallelism overlapped = plain;
  overlapped.two_batch_overlap = true;
  const StepTimeModel one(model, h100, fp8(), plain);
  const StepTimeModel two(model, h100, fp8(), overlapped);
  for (const BatchShape& batch : {decode_batch(32 * 256, 2000), decode_batch(32 * 16, 2000), prompt_batch(32 * 4, 4096)}) {
    const auto serial = one.price(batch);
    const auto overlap = two.price(batch);
    const double a2a_s = serial.time_s_of(Operator::all_to_all);
    REQUIRE(a2a_s > 0.0);
    // Overlap can hide the communication, not the compute; each half re-reads the weights.
    CHECK(overlap.time_s >= serial.time_s - a2a_s);
    // Its items (the all-to-all at its exposed part) and overhead add up to the step.
    double items_s = 0.0;
    for (const auto& item : overlap.items) items_s += item.time_s;
    CHECK(overlap.overhead_s >= 0.0);
    CHECK(items_s + overlap.overhead_s == doctest::Approx(overlap.time_s));
    // Some all-to-all is always exposed: the last combine overlaps nothing (SGLang's last
    // stage only waits for it), whichever side is longer.
    CHECK(overlap.time_s_of(Operator::all_to_all) > 0.0);
  }
  // 256 sequences per GPU over InfiniBand: the all-to-all is long, and hiding it wins.
  CHECK(two.price(decode_batch(32 * 256, 2000)).time_s < one.price(decode_batch(32 * 256, 2000)).time_s);
  // One token per rank cannot be split: the step runs as one batch.
  CHECK(two.price(decode_batch(32, 2000)).time_s == one.price(decode_batch(32, 2000)).time_s);
}
