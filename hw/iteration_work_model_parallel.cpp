// IterationWorkModel under pipeline, attention-data and expert parallelism (issue 24): the
// per-GPU items of one stage for one attention rank's share of one micro-batch. The terms
// are those of iteration_work_model.cpp (for the attention TP group of p = tensor_parallel
// GPUs) with these changes (L_s = the stage's layers, L = all layers, f = L_s / L):
//
// Stages. Every per-layer term (GEMMs, attention, elementwise, per-layer all-reduces) is
// scaled by f; the LM head runs on the last stage only, the embedding all-reduce (the "+1"
// of 2L + 1) on the first only (vLLM's PP models build the embedding on the first rank and
// the head on the last: vllm/model_executor/models/llama.py, get_pp_group().is_first_rank /
// is_last_rank).
//
// Send/recv. A stage that is not the last sends IntermediateTensors {hidden_states,
// residual} to the next (vLLM llama.py make_empty_intermediate_tensors_factory), 2 x h x a
// bytes per token of the rank. vLLM splits the send over the TP ranks and all-gathers it on
// the receiving side (GroupCoordinator.send_tensor_dict / recv_tensor_dict with
// all_gather_group = the TP group): each GPU sends payload / p to its peer in the next
// stage (on the scale-out link when the next stage is in another domain, else on the
// scale-up link) and receives (p-1)/p of the payload in the all-gather over the scale-up
// link. One call, one inter-domain step when it crosses.
//
// Expert parallelism (EP = DP x p GPUs of the stage, hw/parallelism.h). The GEMM item
// splits in two:
//   attention side  everything but the routed experts, split over p as under TP, on the
//                   rank's tokens T_r: flops = (gemm FLOPs per token - 2 L k E_p) T_r,
//                   bytes = the fixed weights + activations without the routed MLP I/O;
//                   kernels 3 L (QKV, O, router);
//   experts         whole experts (not split by p), N / EP of them on each GPU; the GPU
//                   computes R = T_g x k / EP routed (token, expert) pairs (T_g = the
//                   micro-batch's tokens over all DP ranks), times the busiest GPU's load
//                   factor: flops = 2 x L_moe x E_w per pair; weights read = the expected
//                   distinct experts of T_g tokens / EP whole experts (the occupancy
//                   formula, hw/iteration_work_model.h); activations (2h + m x width) a per
//                   pair and MoE layer; kernels 2 L (the fused_moe launches). The pairs
//                   of the FLOPs are padded to the grouped GEMM's M tiles (hw/grouped_gemm.h):
//                   the group's expected tiles / EP x the load factor, x the tile rows.
// where E_p = one routed expert's parameters on one GPU under TP (m h width / p), E_w the
// whole expert's (m h width). The routed experts' part of the activation function moves
// to the pairs the same way.
//
// All-to-all (DP > 1 only), as DeepEP runs it (deepseek-ai/DeepEP, docs/legacy.md; SGLang
// --moe-a2a-backend deepep, vLLM's deepep_high_throughput / deepep_low_latency backends).
// Each MoE layer does a dispatch (hidden states to the experts' GPUs) and a combine (the
// experts' outputs back). One item of 2 L_moe calls; per call the payload is the mean
// GPU's received bytes, R_s x h x (b_d + b_c) / 2, the mean of the two directions, so that
// over the EP GPUs and both calls a layer moves T_g x s x h x (b_d + b_c) (the physical test).
//   Messages per token (s). DeepEP's normal kernels, which SGLang's --deepep-mode auto and
//     vLLM's high-throughput backend run for prefill, send a token ONCE to every GPU that
//     holds one of its experts (Buffer.dispatch's is_token_in_rank [tokens, ranks]), and the
//     combine returns one vector per such GPU: s = the expected distinct GPUs of a token's k
//     experts (hw/expert_balance.h, expected_distinct_ranks). Its low-latency kernels (decode
//     batches: no prefill token in the step) receive per local expert
//     ([num_local_experts, max_tokens x ranks, hidden]): s = k, no deduplication.
//   Bytes per element. DeepEP is benchmarked and deployed with "FP8 dispatching and BF16
//     combining" (DeepEP README, both kernel families): the dispatch carries FP8 elements
//     plus one float scale per 128 channels (Buffer.low_latency_dispatch: [.., hidden] e4m3
//     and [.., hidden / 128] float), b_d = 1 + 4/128 bytes, so that the FP8 grouped GEMM
//     (DeepGEMM) takes it as is; the combine returns activations, b_c = a. Dispatch is FP8
//     only when the weights are FP8 or FP4 (the experts' GEMM quantises its input anyway);
//     with 16-bit weights both directions move a (DeepEP's BF16 dispatch).
// Link bytes are the busiest GPU's messages (pairs x load factor x s / k) that come from
// other GPUs: a share (d-1)/EP from its scale-up domain of d GPUs, (EP-d)/EP over
// scale-out with one inter-domain step per call (EP <= d: all on scale-up, (EP-1)/EP).
//   Normal kernels across domains forward: a token crosses scale-out ONCE per other domain
//     that holds one of its experts, to the GPU of the same local index there, and is
//     forwarded over scale-up to the GPUs that hold its experts (DeepSeek-V3 technical
//     report, arXiv 2412.19437, section 3.2.2: "tokens are first transmitted via IB to the
//     GPUs with the same in-node index on their target nodes ... forwarded via NVLink";
//     DeepEP docs/legacy.md: normal kernels "optimized for asymmetric-domain bandwidth
//     forwarding", Buffer.dispatch's num_tokens_per_rdma_rank). Scale-out messages per
//     token: the expected other domains among its k experts (expected_distinct_ranks over
//     EP / d domains, times (EP/d - 1) / (EP/d)); scale-up: each of its GPUs but the one it
//     lands on, (d-1)/d of the s messages. Uniform routing: DeepSeek-V3's node-limited
//     routing (at most 4 nodes a token) would lower the domains at EP/d > 4; not modelled.
//     The low-latency kernels (decode) send every message straight over RDMA: unchanged.
// Uniform routing places 1/EP of the messages on every GPU. Two-batch overlap (hiding the
// all-to-all under compute) is the step-time model's (step_time_model_parallel.cpp and
// hw/overlap_schedule.h: it takes the first gemm item stage_items lists as the attention
// side and the second as the routed experts).
//   More peers. At a fixed number of tokens per rank a GPU sends the same bytes whatever
//     the EP size; what grows with EP is the share (EP - d) / EP that leaves the domain
//     for the NIC. That share alone reproduces DeepEP's low-latency table (docs/legacy.md:
//     dispatch + combine 313 us at EP16 to 554 us at EP256 on H800, 128 tokens per rank)
//     within 11% (+5% at EP16, -11% at EP128: llmsim a little fast at the widest), with no
//     per-peer term, so none is added (tests/loader/all_to_all_deepep_test.cpp holds the
//     comparison).
// With DP = 1 and EP = p every GPU already holds every token: no all-to-all, and the MLP's
// all-reduce combines the experts' outputs as under TP (vLLM's default all2all backend for
// a single DP rank).
#include <algorithm>
#include <cmath>
#include <string>

#include "core/architecture.h"
#include "core/dtype.h"
#include "core/input_error.h"
#include "core/invariant.h"
#include "core/model_dims.h"
#include "hw/expert_balance.h"
#include "hw/grouped_gemm.h"
#include "hw/iteration_work_model.h"

namespace llmsim::hw {
namespace {

double as_double(std::int64_t value) { return static_cast<double>(value); }

}  // namespace

void IterationWorkModel::set_parallel_terms(const core::ModelSpec& model, const Precision& precision,
                                            const Parallelism& parallelism,
                                            int scale_up_domain_gpus) {
  // stage_items does not carry the linear-attention terms (recurrence per token, state per
  // sequence) yet: a hybrid is priced on tensor-parallel deployments only.
  if (model.has_linear_attention() && !parallelism.tensor_only()) {
    throw core::InputError("model " + model.id +
                           " has linear-attention layers: only tensor parallelism prices them yet (no pipeline, "
                           "expert or attention-data parallelism)");
  }
  tensor_parallel_ = parallelism.tensor_parallel;
  attention_data_parallel_ = parallelism.attention_data_parallel;
  expert_parallel_ = parallelism.expert_parallel;
  attention_gemm_flops_per_token_ = gemm_flops_per_token_;
  attention_gemm_activation_bytes_per_token_ = gemm_activation_bytes_per_token_;
  attention_elementwise_bytes_per_token_ = elementwise_bytes_per_token_;
  if (expert_parallel_ <= 1.0) return;
  if (!model.is_moe()) {
    throw core::InputError("expert_parallel " + std::to_string(parallelism.expert_parallel) + ": model " + model.id +
                           " is dense (no routed experts to shard)");
  }
  const core::Architecture architecture(model);
  const double p = tensor_parallel_;
  const double h = hidden_size_;
  const double a = activation_bytes_;
  const double k = experts_per_token_;
  const double m = model.gated_mlp ? 3.0 : 2.0;
  const double width = as_double(core::expert_width(model));
  moe_layers_ = as_double(architecture.moe_layers());
  const double whole_expert_params = m * h * width;  // one routed expert of one layer
  // The routed experts' share of the TP terms, taken out of the attention side.
  attention_gemm_flops_per_token_ = gemm_flops_per_token_ - 2.0 * moe_layers_ * k * whole_expert_params / p;
  attention_gemm_activation_bytes_per_token_ =
      gemm_activation_bytes_per_token_ - a * moe_layers_ * m * k * width / p;
  attention_elementwise_bytes_per_token_ = elementwise_bytes_per_token_ - a * moe_layers_ * m * k * width / p;
  expert_flops_per_pair_ = 2.0 * moe_layers_ * whole_expert_params;
  // expert_weight_bytes_ is one expert's 1/p share over all layers (MoE share included).
  whole_expert_weight_bytes_ = expert_weight_bytes_ * p;
  expert_activation_bytes_per_pair_ = a * moe_layers_ * (2.0 * h + m * width);
  expert_elementwise_bytes_per_pair_ = a * moe_layers_ * m * width;
  const double ep = expert_parallel_;
  const double d = scale_up_domain_gpus > 0 ? std::min<double>(scale_up_domain_gpus, ep) : ep;
  a2a_scale_up_share_ = (d - 1.0) / ep;
  a2a_scale_out_share_ = (ep - d) / ep;
  // DeepEP's FP8 dispatch: one e4m3 byte per element and one float scale per 128 channels.
  constexpr double kFp8DispatchBytes = 1.0 + 4.0 / 128.0;
  const bool low_precision_weights = precision.weights == core::DType::fp8 || core::is_fp4(precision.weights);
  a2a_dispatch_bytes_ = low_precision_weights ? std::min(kFp8DispatchBytes, a) : a;
  a2a_combine_bytes_ = a;
  a2a_ranks_per_token_ = expected_distinct_ranks(num_experts_, k, parallelism.expert_parallel);
  // DeepEP's normal kernels across domains send a token once to each other domain holding one
  // of its experts and forward it there over scale-up (see the file comment).
  const double domains = ep / d;
  a2a_remote_domains_per_token_ =
      domains > 1.0 ? expected_distinct_ranks(num_experts_, k, static_cast<int>(std::lround(domains))) * (domains - 1.0) / domains
                    : 0.0;
  a2a_forwarded_share_ = domains > 1.0 ? (d - 1.0) / d : a2a_scale_up_share_;
  attention_side_shares_ = ::llmsim::hw::attention_side_shares(model);
}

WorkItemList IterationWorkModel::stage_items(const RankShare& share, const StageSlice& stage) const {
  core::check_invariant(stage.layers > 0.0 && share.tokens() >= 0.0 && share.group_tokens >= share.tokens() &&
                            share.expert_load >= 1.0,
                        "IterationWorkModel::stage_items: a stage has layers; shares are >= 0");
  const double f = stage.layers / layers_;
  const double tokens = share.tokens();
  const bool any_tokens = tokens > 0.0;
  const bool experts_sharded = expert_parallel_ > 1.0;
  WorkItemList list;
  if (any_tokens) {
    WorkItem& gemm = list.emplace_back();
    gemm.op = Operator::gemm;
    if (!experts_sharded && num_experts_ > 0.0) {
      gemm.flops = f * dense_gemm_flops_per_token_ * tokens;
      add_routed_expert_work(gemm, tokens, f);
    } else {
      gemm.flops = f * attention_gemm_flops_per_token_ * tokens;
      if (dense_dequant_per_tile_ > 0.0) {
        gemm.alu_instructions = f * dense_dequant_per_tile_ * std::ceil(tokens / kDenseWeightOnlyTileRows);
      }
    }
    gemm.hbm_bytes = f * (gemm_fixed_weight_bytes_ + attention_gemm_activation_bytes_per_token_ * tokens);
    if (!experts_sharded && num_experts_ > 0.0) {
      gemm.hbm_bytes += f * expected_distinct_experts(num_experts_, experts_per_token_, tokens) * expert_weight_bytes_;
    }
    gemm.kernels = (experts_sharded ? 3.0 : gemm_kernels_per_layer_) * stage.layers;
  }
  const double pairs = mean_routed_pairs_per_gpu(share.group_tokens) * share.expert_load;
  if (experts_sharded && pairs > 0.0) {
    WorkItem& experts = list.emplace_back();
    experts.op = Operator::gemm;
    // Each expert's rows padded to the grouped GEMM's M tile (hw/grouped_gemm.h): the tiles of
    // the group's tokens, 1/EP of them on each GPU, times the busiest GPU's load.
    const MoeTiling tiling = moe_tiling(num_experts_, experts_per_token_, share.group_tokens);
    const double gpu_tiles = tiling.tiles / expert_parallel_ * share.expert_load;
    experts.flops = f * expert_flops_per_pair_ * std::max(pairs, gpu_tiles * tiling.tile_rows);
    if (expert_dequant_per_tile_ > 0.0) {
      experts.alu_instructions = f * expert_dequant_per_tile_ * tensor_parallel_ * gpu_tiles;  // whole experts
    }
    const double experts_read =
        expected_distinct_experts(num_experts_, experts_per_token_, share.group_tokens) / expert_parallel_;
    experts.hbm_bytes = f * (experts_read * whole_expert_weight_bytes_ + expert_activation_bytes_per_pair_ * pairs);
    experts.kernels = 2.0 * stage.layers;
  }
  if (share.prefill_tokens > 0.0 || share.prefill_attention_pairs != 0.0 || share.prefill_kv_tokens != 0.0) {
    WorkItem prefill{.op = Operator::attention_prefill};
    prefill.flops = f * attention_flops_per_key_ * share.prefill_attention_pairs;
    if (prefill_flops_per_cached_token_ > 0.0) {
      prefill.flops += f * prefill_flops_per_cached_token_ * (share.prefill_kv_tokens - share.prefill_tokens);
    }
    prefill.hbm_bytes = f * (kv_bytes_per_token_ * share.prefill_kv_tokens +
                             attention_activation_bytes_per_token_ * share.prefill_tokens);
    prefill.kernels = share.prefill_tokens > 0.0 ? stage.layers : 0.0;
    if (!prefill.empty()) list.push_back(prefill);
  }
  if (share.decode_seqs > 0.0 || share.verify_seqs > 0.0 || share.decode_kv_tokens != 0.0) {
    WorkItem decode{.op = Operator::attention_decode};  // verify rows as in decode_attention_item
    decode.flops = f * decode_attention_flops_per_key_ * (share.decode_kv_tokens + share.verify_attention_pairs);
    decode.hbm_bytes = f * kv_bytes_per_token_ * (share.decode_kv_tokens + share.verify_kv_tokens);
    const double seqs = share.decode_seqs + share.verify_seqs;
    decode.kernels = seqs > 0.0 ? stage.layers : 0.0;
    decode.blocks = seqs * kv_head_groups_per_gpu_ * stage.layers;
    list.push_back(decode);
  }
  if (any_tokens || pairs > 0.0) {
    WorkItem& elementwise = list.emplace_back();
    elementwise.op = Operator::elementwise;
    elementwise.hbm_bytes =
        f * (attention_elementwise_bytes_per_token_ * tokens + expert_elementwise_bytes_per_pair_ * pairs);
    elementwise.kernels = 4.0 * stage.layers;
  }
  if (stage.last && share.sampled_seqs > 0.0) {
    WorkItem& head = list.emplace_back();
    head.op = Operator::lm_head;
    head.flops = lm_head_flops_per_row_ * share.sampled_seqs;
    head.hbm_bytes = lm_head_weight_bytes_ + lm_head_activation_bytes_per_row_ * share.sampled_seqs;
    head.kernels = 1.0;
  }
  if (any_tokens && allreduce_calls_ > 0.0) {
    WorkItem& allreduce = list.emplace_back();
    allreduce.op = Operator::allreduce;
    allreduce.kernels = 2.0 * stage.layers + (stage.first ? 1.0 : 0.0);
    allreduce.payload_bytes = activation_bytes_ * tokens * hidden_size_;
    allreduce.link_bytes = ring_link_factor_ * allreduce.payload_bytes;
    if (scale_out_steps_ > 0.0) {
      allreduce.scale_out_link_bytes = scale_out_link_factor_ * allreduce.payload_bytes;
      allreduce.scale_out_steps = scale_out_steps_;
    }
  }
  if (experts_sharded && attention_data_parallel_ > 1.0 && pairs > 0.0) {
    WorkItem& a2a = list.emplace_back();
    a2a.op = Operator::all_to_all;
    a2a.kernels = 2.0 * moe_layers_ * f;  // dispatch and combine per MoE layer of the stage
    // Normal kernels (deduplicated per GPU) when the step prefills (on any DP rank:
    // RankShare::group_extends), low-latency ones (per expert) for a decode-only step.
    const bool normal_kernels = share.prefill_tokens > 0.0 || share.group_extends;
    const double messages_per_pair = normal_kernels ? a2a_ranks_per_token_ / experts_per_token_ : 1.0;
    const double bytes_per_message = hidden_size_ * (a2a_dispatch_bytes_ + a2a_combine_bytes_) / 2.0;
    a2a.payload_bytes = mean_routed_pairs_per_gpu(share.group_tokens) * messages_per_pair * bytes_per_message;
    const double busiest = pairs * messages_per_pair * bytes_per_message;
    a2a.link_bytes = (normal_kernels ? a2a_forwarded_share_ : a2a_scale_up_share_) * busiest;
    if (a2a_scale_out_share_ > 0.0) {
      a2a.scale_out_link_bytes = normal_kernels ? pairs / experts_per_token_ * a2a_remote_domains_per_token_ * bytes_per_message
                                                : a2a_scale_out_share_ * busiest;
      a2a.scale_out_steps = 1.0;
    }
  }
  if (!stage.last && any_tokens) {
    WorkItem& send = list.emplace_back();
    send.op = Operator::send_recv;
    send.kernels = 1.0;
    send.payload_bytes = 2.0 * hidden_size_ * activation_bytes_ * tokens;  // hidden_states + residual
    const double p = tensor_parallel_;
    const double gathered = (p - 1.0) / p * send.payload_bytes;  // all-gather on the receiving side
    if (stage.send_crosses_domain) {
      send.link_bytes = gathered;
      send.scale_out_link_bytes = send.payload_bytes / p;
      send.scale_out_steps = 1.0;
    } else {
      send.link_bytes = send.payload_bytes / p + gathered;
    }
  }
  if (indexer_flops_per_pair_ > 0.0 && (share.prefill_indexer_pairs != 0.0 || share.decode_indexer_keys != 0.0 ||
                                        share.verify_indexer_pairs != 0.0)) {
    list.push_back(indexer_item(
        share.prefill_indexer_pairs + share.decode_indexer_keys + share.verify_indexer_pairs,
        share.prefill_kv_tokens + share.decode_indexer_keys + share.verify_indexer_keys, share.prefill_tokens > 0.0,
        share.decode_seqs + share.verify_seqs > 0.0, stage.layers));
  }
  return list;
}

}  // namespace llmsim::hw
