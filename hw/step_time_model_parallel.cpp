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
// that one's dispatch/combine is in flight while the other computes: DeepEP's receive hooks
// let "the RDMA network traffic happen in the background, without costing any GPU SMs"
// (DeepEP docs/legacy.md, two-micro-batch overlapping); vLLM's DBO design doc ("overlap the
// sparse all-to-all communication in the MoE layer with the surrounding computation",
// two ubatch threads ping-ponging at the FusedMoE yield points). Priced per stage as
//   2 x max(C_half, A_half)
// where C_half is every item but the all-to-all for one half of the rank's share (each half
// reads the weights and launches the kernels again: why the overlap loses at small batches,
// as the LMSYS ablation reports), and A_half that half's all-to-all, plus the ping-pong's
// fill and drain. Fill and drain: each micro-batch's stage is a chain of n = 2 L_moe
// communication phases (a dispatch and a combine per MoE layer: the all-to-all item's calls)
// between compute phases, c = C_half / n and a = A_half / n each; two such chains
// alternating on two resources (the SMs and the network: DeepEP's two-micro-batch figure,
// docs/legacy.md) take 2 n max(c, a) + min(c, a), since the first chain's first compute and
// the last chain's last communication overlap nothing (the fill and drain of a two-stage
// pipeline). So the stage takes 2 x max(C_half, A_half) + min(C_half, A_half) / n. The
// reported items are the half's compute items, twice, and the all-to-all at its exposed
// part (the stage less 2 x C_half), so that they sum to the stage. Not modelled: the SMs
// DeepEP's normal (prefill) kernels hold while they run (deep_ep Buffer.num_sms = 20 of
// Hopper's 132), which the overlapped compute cannot use: the hardware presets carry no
// SM count. Applies when the step has an all-to-all and at least two tokens per rank to
// split; otherwise the step runs as one batch.
#include <algorithm>
#include <cmath>
#include <vector>

#include "hw/expert_balance.h"
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
  // rank never has more tokens than its micro-batch).
  share.group_tokens = micro_prefill_tokens + micro_decode_seqs + micro_verify_tokens;
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

  // Two-batch overlap: each rank's micro-batch runs as two halves (see the file comment).
  const bool overlap = parallelism_.two_batch_overlap && parallelism_.attention_data_parallel > 1 &&
                       parallelism_.expert_parallel > 1 && busiest.tokens() >= 2.0;
  RankShare half;
  if (overlap) {
    half = rank_share(batch, micro * 2.0, ranks, true);
    half.expert_load = load_factor(half);
  }
  const auto overlapped_stage = [&](const StageSlice& stage) {
    OverlappedStage out;
    double compute_s = 0.0;
    double a2a_s = 0.0;
    double phases = 0.0;  // the all-to-all's calls: one dispatch and one combine per MoE layer
    for (const WorkItem& item : work_model_.stage_items(half, stage)) {
      PricedItem p = price_item(item);
      (item.op == Operator::all_to_all ? a2a_s : compute_s) += p.time_s;
      if (item.op == Operator::all_to_all) phases += item.kernels;
      out.items.push_back(p);
    }
    const double fill_drain_s = phases > 0.0 ? std::min(compute_s, a2a_s) / phases : 0.0;
    out.time_s = 2.0 * std::max(compute_s, a2a_s) + fill_drain_s;
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
  return cost;
}

}  // namespace llmsim::hw
