// Two-batch overlap as the engines schedule it (issue 24): which compute of which
// micro-batch each all-to-all phase can hide under. Overlap is partial because the engines
// pair a layer's communication phases with fixed compute stages, not with "the rest of the
// step": a dispatch that outlasts the stage it is paired with is exposed even when other
// stages have time to spare.
//
// A MoE layer of one micro-batch is cut into compute pieces (seconds for one micro-batch,
// one layer):
//   pre      the projections before the attention core (QKV; MLA's q_a, q_b, kv_a and the
//            absorbed key up-projection), whatever runs on the micro-batch's own tokens
//            before the attention;
//   core     the attention core, the output projection (MLA: with the value up-projection)
//            and the router gate;
//   shared   the shared experts;
//   routed   the routed experts' grouped GEMMs;
// and two communication phases, the dispatch and the combine, each taking `comm` seconds
// on the network once sent (DeepEP's low-latency kernels with receive hooks let "the RDMA
// network traffic happen in the background, without costing any GPU SMs": DeepEP
// docs/legacy.md; llmsim prices both directions at their mean size, so the two phases are
// equally long).
//
// The GPU runs one stream of compute; a phase starts on the network when its micro-batch
// sends it (and the network has finished the phases sent before: one link, first come first
// served) and the stream waits at its receive until it has arrived. The time is the
// stream's end once every phase has been received. Schedules (per micro-batch A and B; the
// order is the engine's, from its source):
//
//   sglang_tbo  SGLang --enable-two-batch-overlap (python/sglang/srt/operations_strategy.py,
//               _compute_moe_deepseek_blog_decode / _prefill; two_batch_overlap.py
//               _execute_two_batch_raw runs stage i of A, then stage i - delta of B).
//     decode (delta 2), stages of one layer:  [pre] [core] [send D, shared]
//               [recv D, routed, send C] [recv C]: A's dispatch hides under A's shared
//               experts and B's pre, A's combine under B's core; the routed experts hide
//               nothing (their own dispatch must have arrived).
//     prefill (delta 0):  [pre, core, send D] [recv D, routed, send C] [shared, recv C]:
//               A's dispatch under B's attention, B's dispatch under A's routed experts,
//               A's combine under B's routed experts and A's shared experts.
//   vllm_dbo    vLLM --enable-dbo (docs/design/dbo.md, the schedule "currently
//               implemented"): per layer "D1 send, A0_0, A1_0, D1 recv, D0 send, MLP_1,
//               D0 recv, C1 send, S_1, MLP_0, C1 recv, C0 send, S_0, A0_1, A1_1, C0 recv"
//               (A0 = pre, A1 = core, S = shared, MLP = routed; A0_1 A1_1 are micro-batch
//               1's next layer): one dispatch hides under the other micro-batch's
//               attention, one under its routed experts, the combines under routed plus
//               shared and shared plus attention.
// DeepEP's normal (prefill) kernels run on SMs of their own while a phase is in flight
// (kDeepEpNormalKernelSms of the GPU's HardwareSpec::sm_count; SGLang gives DeepGEMM the
// rest in TBO prefill: operations_strategy.py deep_gemm_num_sms), so compute beside an
// in-flight phase runs at LayerPieces::compute_rate_beside_comm of its speed.
// ASSUMPTION: every compute piece slows by the SM share (compute-bound kernels' time scales
// with the SMs they get; prefill's GEMMs and attention are compute-bound), and the kernels
// hold their SMs for the whole time the phase is on the link.
// Not modelled: the low-latency (decode) kernels' own send and receive time on the SMs
// (they occupy SMs only while they send and receive: LMSYS blog 2025-05-05, decode TBO
// breakdown; no source gives that time); two phases in flight at once sharing the link
// (they queue here).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/model_spec.h"

namespace llmsim::hw {

/// Which engine's two-batch-overlap schedule a deployment runs (see the file comment).
enum class OverlapSchedule {
  sglang_tbo,  ///< SGLang's TBO: the DeepSeek-blog stage layouts (decode delta 2, prefill delta 0)
  vllm_dbo,    ///< vLLM's dual-batch overlap (docs/design/dbo.md)
};

constexpr std::string_view to_string(OverlapSchedule schedule) {
  return schedule == OverlapSchedule::vllm_dbo ? "vllm_dbo" : "sglang_tbo";
}

/// Whether the engine splits a step into two micro-batches when each attention rank holds
/// `tokens_per_rank` new tokens (`prefill`: the step has prompt tokens); otherwise the step
/// runs as one batch. Besides this, any schedule needs two tokens on a rank to split.
///  - sglang_tbo: always (two_batch_overlap.py splits any batch it can split).
///  - vllm_dbo: above vLLM's thresholds (vllm/config/parallel.py, the defaults:
///    dbo_decode_token_threshold = 32 for batches of decodes only, dbo_prefill_token_threshold
///    = 512 for batches with a prefill: "If the number of tokens in the request is greater
///    than this threshold, microbatching will be used. Otherwise, the request will be
///    processed in a single batch"); the DP ranks micro-batch only if every one votes to, and
///    llmsim's ranks share the batch evenly, so the mean rank's tokens are compared.
///    Not modelled: thresholds set on the command line.
constexpr bool engine_splits_step(OverlapSchedule schedule, bool prefill, double tokens_per_rank) {
  if (schedule == OverlapSchedule::sglang_tbo) return true;
  return tokens_per_rank > (prefill ? 512.0 : 32.0);
}

/// One micro-batch's pieces of one MoE layer, seconds (see the file comment). All >= 0.
struct LayerPieces {
  double pre = 0.0;
  double core = 0.0;
  double shared = 0.0;
  double routed = 0.0;
  double comm = 0.0;  ///< one dispatch or combine phase on the network
  /// The compute's speed while a phase is on the network, as a share of its speed alone,
  /// in (0, 1]: (SMs - the communication kernels' SMs) / SMs for DeepEP's normal kernels
  /// (see kDeepEpNormalKernelSms), 1 for kernels that hold no SMs while in flight.
  double compute_rate_beside_comm = 1.0;
};

/// SMs DeepEP's normal (high-throughput) dispatch and combine kernels run on:
/// deep_ep/buffer.py, Buffer.num_sms = 20 (the default; SGLang's DeepEPConfig takes
/// Buffer.num_sms unless --deepep-config sets one, and vLLM's DeepEP all2all manager keeps
/// "the DeepEP default" 20). SGLang's TBO prefill gives DeepGEMM the rest
/// (operations_strategy.py: deep_gemm_num_sms = multi_processor_count - DeepEPConfig num_sms).
/// DeepEP's low-latency (decode) kernels send and receive in the background "without
/// costing any GPU SMs" once issued (DeepEP README), so they hold none in flight here.
inline constexpr int kDeepEpNormalKernelSms = 20;

/// LayerPieces::compute_rate_beside_comm for a GPU of `sm_count` SMs beside DeepEP's
/// normal kernels. Precondition: sm_count > kDeepEpNormalKernelSms.
constexpr double normal_kernel_compute_rate(int sm_count) {
  return static_cast<double>(sm_count - kDeepEpNormalKernelSms) / static_cast<double>(sm_count);
}

/// Both micro-batches through `layers` MoE layers of identical pieces under `schedule`,
/// `prefill` choosing SGLang's prefill layout over its decode one (vLLM has one), seconds.
/// It is at least max(2 x layers x compute, 2 x layers x 2 comm) (one stream, one link) and
/// at most their sum (every phase waited for in full: compute slowed beside a phase runs
/// while the link is busy, so the stream's time is the link's busy time plus compute at full
/// speed). Preconditions: layers >= 1, pieces >= 0, compute_rate_beside_comm in (0, 1].
double overlapped_layers_s(OverlapSchedule schedule, bool prefill, const LayerPieces& pieces, std::int64_t layers);

/// The shares of the attention-side GEMM item's weights (hw/iteration_work_model_parallel.cpp:
/// every GEMM but the routed experts) that are each MoE layer piece, summed over the MoE
/// layers; the rest (the dense layers' attention and MLP, the embedding-side GEMMs) is
/// outside the overlapped layers. ASSUMPTION: the item's time divides as its weights do (a
/// decode GEMM reads its weights; a prefill GEMM's FLOPs are its weights x tokens).
struct AttentionSideShares {
  double pre = 0.0;
  double core = 0.0;    ///< output projection (MLA: and the value up-projection) and router
  double shared = 0.0;
};
/// For a MoE model (num_experts > 0); all 0 for a dense one.
AttentionSideShares attention_side_shares(const core::ModelSpec& model);

}  // namespace llmsim::hw
