#include "sim/cluster/dp_group.h"

#include <algorithm>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

/// Adds `batch`'s counts and sums to `total` (a replica batch of several ranks' batches).
void add_batch(hw::BatchShape& total, const hw::BatchShape& batch) {
  total.prefill_seqs += batch.prefill_seqs;
  total.prefill_tokens += batch.prefill_tokens;
  total.prefill_attention_pairs += batch.prefill_attention_pairs;
  total.prefill_kv_tokens += batch.prefill_kv_tokens;
  total.decode_seqs += batch.decode_seqs;
  total.decode_kv_tokens += batch.decode_kv_tokens;
  total.sampled_seqs += batch.sampled_seqs;
  total.prefill_indexer_pairs += batch.prefill_indexer_pairs;
  total.decode_indexer_keys += batch.decode_indexer_keys;
  total.verify_seqs += batch.verify_seqs;
  total.verify_tokens += batch.verify_tokens;
  total.verify_attention_pairs += batch.verify_attention_pairs;
  total.verify_kv_tokens += batch.verify_kv_tokens;
  total.verify_indexer_pairs += batch.verify_indexer_pairs;
  total.verify_indexer_keys += batch.verify_indexer_keys;
}

}  // namespace

PaddedRankPricer::PaddedRankPricer(const StepPricer& replica_pricer, std::int32_t ranks)
    : replica_pricer_(&replica_pricer), ranks_(ranks) {
  LLMSIM_CHECK(ranks >= 1, "a replica has at least one attention rank");
}

PaddedRankPricer::PaddedRankPricer(std::shared_ptr<const StepPricer> replica_pricer, std::int32_t ranks)
    : owned_(std::move(replica_pricer)), replica_pricer_(owned_.get()), ranks_(ranks) {
  LLMSIM_CHECK(replica_pricer_ != nullptr && ranks >= 1, "a rank pricer has a replica pricer and ranks");
}

hw::BatchShape PaddedRankPricer::padded(const hw::BatchShape& rank_batch, std::int32_t ranks) {
  const auto n = static_cast<std::int64_t>(ranks);
  const auto x = static_cast<double>(ranks);
  hw::BatchShape b = rank_batch;
  b.prefill_seqs *= n;
  b.prefill_tokens *= n;
  b.prefill_attention_pairs *= x;
  b.prefill_kv_tokens *= x;
  b.decode_seqs *= n;
  b.decode_kv_tokens *= x;
  b.sampled_seqs *= n;
  b.prefill_indexer_pairs *= x;
  b.decode_indexer_keys *= x;
  b.verify_seqs *= n;
  b.verify_tokens *= n;
  b.verify_attention_pairs *= x;
  b.verify_kv_tokens *= x;
  b.verify_indexer_pairs *= x;
  b.verify_indexer_keys *= x;
  return b;
}

hw::StepTotals PaddedRankPricer::price(const hw::BatchShape& rank_batch) const {
  hw::StepTotals cost = replica_pricer_->price(padded(rank_batch, ranks_));
  const auto x = static_cast<double>(ranks_);
  cost.flops /= x;
  cost.hbm_bytes /= x;
  return cost;
}

double PaddedRankPricer::peak_flops_per_s_group() const {
  return replica_pricer_->peak_flops_per_s_group() / static_cast<double>(ranks_);
}

double PaddedRankPricer::hbm_bandwidth_bytes_per_s_group() const {
  return replica_pricer_->hbm_bandwidth_bytes_per_s_group() / static_cast<double>(ranks_);
}

DpGroup::DpGroup(std::int32_t replica, std::int32_t replicas, std::int32_t ranks, std::int64_t kv_blocks_per_rank,
                 const StepPricer& replica_pricer, hw::HostTime host, MetricsCollector& metrics,
                 std::int32_t metrics_slot)
    : replica_(replica),
      replicas_(replicas),
      ranks_(ranks),
      kv_blocks_per_rank_(kv_blocks_per_rank),
      replica_pricer_(&replica_pricer),
      host_(host),
      metrics_(&metrics),
      metrics_slot_(metrics_slot),
      rank_allocated_(static_cast<std::size_t>(ranks), 0),
      rank_peak_(static_cast<std::size_t>(ranks), 0) {
  LLMSIM_CHECK(replica >= 0 && replica < replicas && ranks >= 1 && kv_blocks_per_rank >= 1,
               "a DP group is one replica's ranks, with KV blocks");
}

bool DpGroup::in_flight(const std::vector<Replica>& engines) const {
  return std::any_of(stepped_.begin(), stepped_.end(), [&engines](std::int32_t e) {
    return engines[static_cast<std::size_t>(e)].iteration_in_flight();
  });
}

bool DpGroup::has_work(const std::vector<Replica>& engines) const {
  for (std::int32_t d = 0; d < ranks_; ++d) {
    if (engines[static_cast<std::size_t>(engine(d))].has_work()) return true;
  }
  return false;
}

workloads::TimeNs DpGroup::plan(workloads::TimeNs now, std::vector<Replica>& engines) {
  LLMSIM_CHECK(!in_flight(engines), "a DP group runs one lockstep step at a time");
  stepped_.clear();
  busiest_ = -1;
  double busiest_s = 0.0;     // the most expensive rank's own (padded) forward pass, GPU time
  std::int64_t host_seqs = 0; // the most sequences a rank's scheduler handles (its host time)
  double draft_s = 0.0;       // the largest rank's draft passes
  double offload_s = 0.0;     // the largest rank's offloaded-KV loads
  bool extend = false;        // some rank computes prompt tokens (SGLang's is_extend_in_batch)
  std::int64_t sum_tokens = 0;
  std::int64_t busiest_tokens = 0;
  std::int64_t busiest_seqs = 0;
  for (std::int32_t d = 0; d < ranks_; ++d) {
    Replica& rank = engines[static_cast<std::size_t>(engine(d))];
    if (!rank.has_work()) continue;
    if (rank.plan_iteration(now) == Replica::kNoIteration) continue;  // waits on a KV transfer
    stepped_.push_back(engine(d));
    const IterationPlan& plan = rank.plan();
    // Replica::price's total less what it added to the forward pass: the pass's GPU time.
    const double forward_s = plan.cost.time_s - plan.draft_time_s - plan.offload_load_s;
    if (busiest_ < 0 || forward_s > busiest_s) {
      busiest_s = forward_s;
      busiest_ = d;
    }
    draft_s = std::max(draft_s, plan.draft_time_s);
    offload_s = std::max(offload_s, plan.offload_load_s);
    const hw::BatchShape& shape = plan.shape;
    extend = extend || shape.prefill_tokens > 0;
    // The sequences hw::StepTimeModel counts for a replica's host time, this rank's own.
    host_seqs = std::max(host_seqs, shape.prefill_seqs + shape.decode_seqs + shape.verify_seqs);
    const std::int64_t tokens = shape.total_new_tokens();
    const auto seqs = static_cast<std::int64_t>(plan.seqs.size());
    sum_tokens += tokens;
    rank_tokens_ += tokens;
    rank_seqs_ += seqs;
    busiest_tokens = std::max(busiest_tokens, tokens);
    busiest_seqs = std::max(busiest_seqs, seqs);
  }
  if (stepped_.empty()) return Replica::kNoIteration;
  // SGLang's DpPaddingMode.get_dp_padding_mode: SUM_LEN for an extend batch, else MAX_LEN
  // when sum x 2 > max x DP (the file comment).
  const bool max_len = !extend && sum_tokens * 2 > busiest_tokens * ranks_;
  const double gpu_s = max_len ? busiest_s : sum_len_step_s(engines, sum_tokens, extend);
  sum_len_ = !max_len;
  if (sum_len_) price_sum_len_work(engines);
  // The forward pass with the busiest rank's host time (see Host time in the header), then
  // the drafts and loads, as Replica::price adds them to a priced step.
  const double step_s = host_.step_s(gpu_s, static_cast<double>(host_seqs)) + draft_s + offload_s;
  for (const std::int32_t e : stepped_) engines[static_cast<std::size_t>(e)].set_lockstep_time(step_s);
  ++steps_;
  if (max_len) ++max_len_steps_;
  rank_steps_idle_ += ranks_ - static_cast<std::int64_t>(stepped_.size());
  busiest_rank_tokens_ += busiest_tokens;
  busiest_rank_seqs_ += busiest_seqs;
  report_kv(now);
  const workloads::TimeNs end = engines[static_cast<std::size_t>(stepped_.front())].plan().end_ns;
  for (const std::int32_t e : stepped_) {
    LLMSIM_CHECK(engines[static_cast<std::size_t>(e)].plan().end_ns == end, "the ranks of a step end together");
  }
  return end;
}

double DpGroup::sum_len_step_s(const std::vector<Replica>& engines, std::int64_t step_tokens, bool extend) {
  double step_s = 0.0;
  for (const std::int32_t e : stepped_) {
    hw::BatchShape own = PaddedRankPricer::padded(engines[static_cast<std::size_t>(e)].plan().shape, ranks_);
    own.lockstep_tokens = step_tokens;
    own.lockstep_extends = extend;
    const double rank_s = replica_pricer_->price(own).time_s;
    if (rank_s > step_s) {
      step_s = rank_s;
      busiest_ = (e - replica_) / replicas_;  // the rank whose attention gates the step
    }
  }
  return step_s;
}

void DpGroup::price_sum_len_work(const std::vector<Replica>& engines) {
  hw::BatchShape step;
  double draft_flops = 0.0;
  double draft_hbm_bytes = 0.0;
  for (const std::int32_t e : stepped_) {
    const IterationPlan& plan = engines[static_cast<std::size_t>(e)].plan();
    add_batch(step, plan.shape);
    draft_flops += plan.draft_flops;
    draft_hbm_bytes += plan.draft_hbm_bytes;
  }
  const hw::StepTotals forward = replica_pricer_->price(step);
  step_flops_ = forward.flops + draft_flops;
  step_hbm_bytes_ = forward.hbm_bytes + draft_hbm_bytes;
}

void DpGroup::apply(std::vector<Replica>& engines, std::vector<RequestIndex>& completed) {
  LLMSIM_CHECK(!stepped_.empty(), "a DP group applies the step it planned");
  folded_ = IterationStats{};
  folded_prefill_flops_ = 0.0;
  completed_counts_.clear();
  for (const std::int32_t e : stepped_) {
    const std::size_t before = completed.size();
    engines[static_cast<std::size_t>(e)].apply_iteration(completed);
    completed_counts_.push_back(static_cast<std::int64_t>(completed.size() - before));
  }
  folded_.replica_slot = metrics_slot_;
  // The ranks' own prefill share, FLOP-weighted (see Reported work in the header).
  folded_.prefill_flops_share = folded_.flops > 0.0 ? folded_prefill_flops_ / folded_.flops : 0.0;
  if (sum_len_) {
    folded_.flops = step_flops_;
    folded_.hbm_bytes = step_hbm_bytes_;
  }
  folded_.peak_flops_per_s_group = replica_pricer_->peak_flops_per_s_group();
  folded_.hbm_bandwidth_bytes_per_s_group = replica_pricer_->hbm_bandwidth_bytes_per_s_group();
  metrics_->on_iteration(folded_);
  report_kv(folded_.end_ns);
}

void DpGroup::on_rank_iteration(std::int32_t rank, const IterationStats& stats) {
  folded_.start_ns = stats.start_ns;
  folded_.end_ns = stats.end_ns;
  folded_.time_s = stats.time_s;  // the lockstep step: the same on every rank
  folded_.seqs += stats.seqs;
  folded_.prefill_tokens += stats.prefill_tokens;
  folded_.decode_tokens += stats.decode_tokens;
  folded_.flops += stats.flops;
  folded_prefill_flops_ += stats.flops * stats.prefill_flops_share;
  folded_.hbm_bytes += stats.hbm_bytes;
  folded_.verify_seqs += stats.verify_seqs;
  folded_.verify_emitted += stats.verify_emitted;
  folded_.draft_time_s = std::max(folded_.draft_time_s, stats.draft_time_s);
  if (rank == busiest_) folded_.compute_bound = stats.compute_bound;  // the rank that set the step
}

void DpGroup::on_rank_kv_usage(std::int32_t rank, workloads::TimeNs /*now*/, std::int64_t allocated_blocks) {
  const auto d = static_cast<std::size_t>(rank);
  LLMSIM_CHECK(d < rank_allocated_.size(), "KV usage comes from one of the group's ranks");
  allocated_ += allocated_blocks - rank_allocated_[d];
  rank_allocated_[d] = allocated_blocks;
  rank_peak_[d] = std::max(rank_peak_[d], allocated_blocks);
}

void DpGroup::report_kv(workloads::TimeNs now) {
  // Once every rank of the step has reported: a sum of some ranks' new counts and others'
  // old ones would be a moment that never was.
  metrics_->on_kv_usage(metrics_slot_, now, allocated_);
}

void DpGroup::add_balance(DpBalance& balance, bool first_group) const {
  balance.steps += steps_;
  balance.max_len_steps += max_len_steps_;
  balance.rank_steps_idle += rank_steps_idle_;
  balance.rank_tokens += rank_tokens_;
  balance.busiest_rank_tokens += busiest_rank_tokens_;
  balance.rank_seqs += rank_seqs_;
  balance.busiest_rank_seqs += busiest_rank_seqs_;
  const auto blocks = static_cast<double>(kv_blocks_per_rank_);
  for (std::size_t d = 0; d < rank_peak_.size(); ++d) {
    const double peak = static_cast<double>(rank_peak_[d]) / blocks;
    const bool first = first_group && d == 0;
    balance.rank_kv_peak_max = first ? peak : std::max(balance.rank_kv_peak_max, peak);
    balance.rank_kv_peak_min = first ? peak : std::min(balance.rank_kv_peak_min, peak);
  }
}

}  // namespace llmsim::sim
