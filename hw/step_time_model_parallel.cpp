// StepTimeModel::price_pipelined: one iteration of a replica with pipeline, attention-data
// or expert parallelism (hw/step_time_model.h states the contract).
//
// Why one iteration is every micro-batch advancing one step. vLLM runs PP micro-batches in
// flight, one per stage (V0's virtual engines, V1's batch queue of max_concurrent_batches =
// PP), each a scheduler step of its own. llmsim keeps one scheduler per replica and
// schedules their union: the union's iteration is the pipeline's cycle, in which each of
// the m micro-batches passes every stage once. In steady state a stage works on one
// micro-batch at a time, so the cycle is at least m x the slowest stage (throughput never
// exceeds the slowest stage's); a single micro-batch still has to traverse the stages one
// after the other, so it is at least the sum of the stages (a request's iteration latency
// with an idle pipeline). Bubbles beyond these two bounds (stages waiting on each other
// while the pipeline fills) are not modelled.
//
// Why the busiest rank. Attention DP ranks synchronise at every MoE layer (vLLM's DP
// coordinator runs dummy forward passes on idle ranks; the all-to-all waits for every
// rank), so a stage takes as long as its busiest rank: the batch is split evenly (a
// DP-aware router's aim) and counts are rounded up, and the expert GEMMs and all-to-all
// take the busiest EP GPU's routed pairs (hw/expert_balance.h).
//
// Two-batch overlap (Parallelism::two_batch_overlap; SGLang --enable-two-batch-overlap,
// vLLM --enable-dbo). The engine splits the batch into two micro-batches and runs them so
// that one's dispatch/combine is in flight while the other computes. Each half runs every
// operator at half the batch: it reads the weights and launches the kernels again, which is
// why the overlap loses at small batches (the LMSYS ablation: -27% at 32 tokens per device).
// What hides is decided by the engine's schedule (Parallelism::overlap_schedule,
// hw/overlap_schedule.h): each dispatch and combine is paired with fixed compute stages of
// the two micro-batches, so a phase longer than its stages stays exposed even when the
// step's compute as a whole is longer than its communication (overlap is partial). The
// half's items are cut into that file's pieces: the attention-side GEMM item by its
// weights' shares (pre-attention projections, output projection and router, shared
// experts; the dense layers' part runs outside the MoE layers), the routed experts' GEMM,
// the attention core of the MoE layers, and the all-to-all's calls (2 L_moe of them; the
// stage's MoE layers, rounded, share them equally). Everything else (elementwise, LM head,
// the dense layers, the indexer) runs once per half outside the schedule. The reported
// items are the half's compute items, twice, and the all-to-all at its exposed part (the
// stage less 2 x the half's compute), so that they sum to the stage. In a step with prompt
// tokens DeepEP's normal kernels hold 20 of the GPU's SMs while a phase is in flight, and
// the compute beside it runs on the rest (hw/overlap_schedule.h,
// LayerPieces::compute_rate_beside_comm); that slowdown is the communication's cost and is
// reported with the all-to-all. Not modelled: the low-latency kernels' own SM time. Applies
// when the step has an all-to-all, at least two tokens per rank to split, and (vLLM's DBO)
// more tokens per rank than the engine's threshold (hw/overlap_schedule.h,
// engine_splits_step); otherwise the step runs as one batch.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/invariant.h"
#include "hw/expert_balance.h"
#include "hw/overlap_schedule.h"
#include "hw/step_sum.h"
#include "hw/step_time_model.h"

namespace llmsim::hw {
namespace {

double as_double(std::int64_t value) { return static_cast<double>(value); }

/// One rank's share of `batch` split into `micro` micro-batches of `ranks` ranks each:
/// counts rounded up (`busiest`) or divided exactly (the mean rank), sums divided.
RankShare rank_share(const BatchShape& batch, double micro, double ranks, bool busiest) {
  const auto part = [&](double total, double parts) { return busiest ? std::ceil(total / parts) : total / parts; };
  const double parts = micro * ranks;
  RankShare share;
  const double micro_prefill_tokens = part(as_double(batch.prefill_tokens), micro);
  const double micro_decode_seqs = part(as_double(batch.decode_seqs), micro);
  share.prefill_tokens = part(micro_prefill_tokens, ranks);
  share.prefill_attention_pairs = batch.prefill_attention_pairs / parts;
  share.prefill_kv_tokens = batch.prefill_kv_tokens / parts;
  share.decode_seqs = part(micro_decode_seqs, ranks);
  share.decode_kv_tokens = batch.decode_kv_tokens / parts;
  share.prefill_indexer_pairs = batch.prefill_indexer_pairs / parts;
  share.decode_indexer_keys = batch.decode_indexer_keys / parts;
  const double micro_verify_tokens = part(as_double(batch.verify_tokens), micro);  // speculative verify rows
  share.verify_seqs = part(part(as_double(batch.verify_seqs), micro), ranks);
  share.verify_tokens = part(micro_verify_tokens, ranks);
  share.verify_attention_pairs = batch.verify_attention_pairs / parts;
  share.verify_kv_tokens = batch.verify_kv_tokens / parts;
  share.verify_indexer_pairs = batch.verify_indexer_pairs / parts;
  share.verify_indexer_keys = batch.verify_indexer_keys / parts;
  share.sampled_seqs = part(part(as_double(batch.sampled_seqs), micro), ranks);
  // The micro-batch's tokens over all ranks, each part rounded as the rank's was (so a
  // rank never has more tokens than its micro-batch); in a lockstep step priced one rank
  // at a time, those of every rank's own batch (BatchShape::lockstep_tokens).
  share.group_tokens = batch.lockstep_tokens > 0 ? part(as_double(batch.lockstep_tokens), micro)
                                                 : micro_prefill_tokens + micro_decode_seqs + micro_verify_tokens;
  share.group_extends = batch.lockstep_extends;
  return share;
}

/// One stage's time under two-batch overlap, and its items (see the file comment).
struct OverlappedStage {
  double time_s = 0.0;
  std::vector<PricedItem> items;
};

}  // namespace

StepCost StepTimeModel::price_pipelined(const BatchShape& batch) const {
  IterationWorkModel::check_batch(batch);
  if (batch.empty()) return StepCost{};
  core::check_invariant(batch.lockstep_tokens == 0 || (parallelism_.attention_data_parallel > 1 &&
                                                       batch.lockstep_tokens * parallelism_.attention_data_parallel >=
                                                           batch.total_new_tokens()),
                        "StepTimeModel::price_pipelined: a lockstep batch is one attention-DP rank's batch on every "
                        "rank, within the step's tokens");
  const auto seqs = batch.prefill_seqs + batch.decode_seqs + batch.verify_seqs;
  const double micro = std::clamp<double>(as_double(seqs), 1.0, parallelism_.pipeline_parallel);
  const double ranks = parallelism_.attention_data_parallel;
  RankShare busiest = rank_share(batch, micro, ranks, true);
  const double slot_cv = slot_load_cv(parallelism_.expert_balancer);
  const auto load_factor = [&](const RankShare& share) {
    return expert_load_factor(work_model_.mean_routed_pairs_per_gpu(share.group_tokens), parallelism_.expert_parallel,
                              work_model_.expert_slots_per_gpu(), slot_cv);
  };
  busiest.expert_load = load_factor(busiest);
  const RankShare mean = rank_share(batch, micro, ranks, false);
  const double gpus_per_stage = parallelism_.gpus_per_stage();

  // Two-batch overlap: each rank's micro-batch runs as two halves (see the file comment),
  // when the engine splits a step of this size (vLLM's DBO thresholds).
  const bool overlap = parallelism_.two_batch_overlap && parallelism_.attention_data_parallel > 1 &&
                       parallelism_.expert_parallel > 1 && busiest.tokens() >= 2.0 &&
                       engine_splits_step(parallelism_.overlap_schedule, batch.prefill_tokens > 0, mean.tokens());
  RankShare half;
  if (overlap) {
    half = rank_share(batch, micro * 2.0, ranks, true);
    half.expert_load = load_factor(half);
  }
  const auto overlapped_stage = [&](const StageSlice& stage) {
    OverlappedStage out;
    // The half's items by the piece they are (hw/overlap_schedule.h): the attention-side
    // GEMM (stage_items' first gemm item) split by its weight shares, the routed experts
    // (its second), the attention core of the MoE layers; everything else runs outside
    // the overlapped layers, once per half.
    double attention_gemm_s = 0.0;
    double routed_s = 0.0;
    double core_attention_s = 0.0;
    double unpaired_s = 0.0;
    double a2a_s = 0.0;
    double phases = 0.0;  // the all-to-all's calls: one dispatch and one combine per MoE layer
    int gemms = 0;
    for (const WorkItem& item : work_model_.stage_items(half, stage)) {
      const PricedItem p = price_item(item);
      if (item.op == Operator::all_to_all) {
        a2a_s += p.time_s;
        phases += item.kernels;
      } else if (item.op == Operator::gemm) {
        (gemms++ == 0 ? attention_gemm_s : routed_s) += p.time_s;
      } else if (item.op == Operator::attention_decode || item.op == Operator::attention_prefill) {
        core_attention_s += p.time_s;
      } else {
        unpaired_s += p.time_s;
      }
      out.items.push_back(p);
    }
    double compute_s = attention_gemm_s + routed_s + core_attention_s + unpaired_s;
    const std::int64_t layers = std::max<std::int64_t>(1, std::llround(phases / 2.0));
    const double n = static_cast<double>(layers);
    const AttentionSideShares& shares = work_model_.attention_side_shares();
    const double moe_share = work_model_.moe_layer_share();
    const LayerPieces pieces{.pre = shares.pre * attention_gemm_s / n,
                             .core = (shares.core * attention_gemm_s + moe_share * core_attention_s) / n,
                             .shared = shares.shared * attention_gemm_s / n,
                             .routed = routed_s / n,
                             .comm = a2a_s / (2.0 * n),
                             // A step where any rank has prompt tokens runs DeepEP's normal
                             // kernels (RankShare::group_extends), which hold SMs while in
                             // flight; the low-latency ones hold none.
                             .compute_rate_beside_comm = half.prefill_tokens > 0.0 || half.group_extends
                                                             ? normal_kernel_compute_rate(sm_count_)
                                                             : 1.0};
    unpaired_s += (1.0 - shares.pre - shares.core - shares.shared) * attention_gemm_s + (1.0 - moe_share) * core_attention_s;
    out.time_s = overlapped_layers_s(parallelism_.overlap_schedule, half.prefill_tokens > 0.0, pieces, layers) +
                 2.0 * unpaired_s;
    out.time_s = std::max(out.time_s, 2.0 * compute_s);  // rounding only: the stream runs every piece
    for (PricedItem& p : out.items) {
      p.time_s = p.op == Operator::all_to_all ? out.time_s - 2.0 * compute_s : 2.0 * p.time_s;
    }
    return out;
  };

  StepCost cost;
  double stages_s = 0.0;   // one micro-batch through every stage
  double slowest_s = -1.0;
  const StageSlice* slowest = nullptr;
  double flops = 0.0;      // the replica's, every stage's GPUs and micro-batches
  double hbm_bytes = 0.0;
  double compute_bound_s = 0.0;
  double memory_bound_s = 0.0;
  for (const StageSlice& stage : stages_) {
    double stage_s = per_layer_overhead_s_ * stage.layers;
    for (const WorkItem& item : work_model_.stage_items(overlap ? half : busiest, stage)) {
      const PricedItem p = price_item(item);
      if (!overlap) stage_s += p.time_s;
      const double weight = overlap ? 2.0 : 1.0;  // both halves
      if (p.bound == Bound::compute) compute_bound_s += weight * p.roofline_s;
      if (p.bound == Bound::memory) memory_bound_s += weight * p.roofline_s;
    }
    if (overlap) stage_s += overlapped_stage(stage).time_s;
    for (const WorkItem& item : work_model_.stage_items(mean, stage)) {
      flops += item.flops * gpus_per_stage * micro;
      hbm_bytes += item.hbm_bytes * gpus_per_stage * micro;
    }
    stages_s += stage_s;
    if (stage_s > slowest_s) {
      slowest_s = stage_s;
      slowest = &stage;
    }
  }
  if (overlap) {
    for (const PricedItem& p : overlapped_stage(*slowest).items) {
      cost.items.push_back_from([&] { return p; });
    }
  } else {
    for (const WorkItem& item : work_model_.stage_items(busiest, *slowest)) {
      cost.items.push_back_from([&] { return price_item(item); });
    }
  }
  const double gpu_s = std::max(stages_s, micro * slowest_s);
  cost.time_s = host_.step_s(gpu_s, as_double(seqs));
  cost.flops = flops;
  cost.hbm_bytes = hbm_bytes;
  cost.bound = compute_bound_s > memory_bound_s ? Bound::compute : Bound::memory;
  double items_s = 0.0;
  for (const PricedItem& item : cost.items) items_s += item.time_s;
  cost.overhead_s = cost.time_s - items_s;
  // Under overlap the exposed all-to-all is the stage less the other items: their sum can
  // round a few ulps past the step.
  if (overlap) cost.overhead_s = std::max(0.0, cost.overhead_s);
  return cost;
}

}  // namespace llmsim::hw
