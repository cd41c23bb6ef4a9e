#include "sim/engine/replica.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/nearest_integer.h"
#include "sim/engine/block_content_ids.h"
#include "sim/check.h"
#include "sim/scheduler/vllm_scheduler.h"

namespace llmsim::sim {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

const core::Architecture& architecture_of(const ReplicaConfig& config) {
  LLMSIM_CHECK(config.architecture != nullptr, "a replica knows its model's architecture");
  return *config.architecture;
}

}  // namespace

Replica::Replica(const ReplicaConfig& config, const StepPricer& pricer,
                 std::vector<RequestRecord>& records, MetricsCollector& metrics)
    : config_(config),
      pricer_(&pricer),
      records_(&records),
      metrics_(&metrics),
      offload_(config.kv_offload.enabled()
                   ? std::make_unique<KvOffloadTiers>(config.kv_offload, config.kv_block_bytes,
                                                      config.engine.block_size)
                   : nullptr),
      kv_(config.kv_blocks, config.engine.prefix_caching, config.track_block_ids),
      kv_layout_(architecture_of(config), config.engine.block_size, config.state_token_equivalents),
      waiting_(config.engine.policy),
      peak_flops_per_s_group_(pricer.peak_flops_per_s_group()),
      hbm_bandwidth_bytes_per_s_group_(pricer.hbm_bandwidth_bytes_per_s_group()),
      group_(config.engine.block_size),
      acceptance_rng_(config.seed, "speculative/" + std::to_string(config.pool) + "/" + std::to_string(config.index)) {
  LLMSIM_CHECK(config.engine.block_size >= 1 && config.engine.max_num_seqs >= 1 &&
                   config.engine.max_num_batched_tokens >= 1,
               "engine limits are positive (the loader checks them)");
  LLMSIM_CHECK(kv_layout_.plain() || !config.track_block_ids,
               "KV blocks over sliding-window layers are counted, never shared");
  LLMSIM_CHECK(!config.kv_offload.enabled() || config.engine.prefix_caching,
               "KV offload keeps prefix blocks: it needs prefix caching (the loader checks it)");
  kv_.set_offload(offload_.get());
  policy_state_.new_token_ratio = config.engine.new_token_ratio.initial_ratio;
}

RequestRecord& Replica::record(const Sequence& seq) { return (*records_)[seq.request]; }

Replica::Slot Replica::take_slot() {
  if (!free_slots_.empty()) {
    const Slot slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  seqs_.emplace_back();
  return static_cast<Slot>(seqs_.size() - 1);
}

void Replica::add_request(const workloads::RequestSpec& request, RequestIndex index) {
  enqueue(request, index);
}

void Replica::add_transferred_request(const workloads::RequestSpec& request, RequestIndex index,
                                      workloads::TimeNs landed_ns) {
  LLMSIM_CHECK(request.num_samples() == 1 && request.output_tokens >= 2,
               "a transferred request has one sample and tokens left to decode");
  LLMSIM_CHECK(transfer_blocks_.contains(index), "a transferred request's blocks were reserved before the transfer");
  Sequence& seq = seqs_[static_cast<std::size_t>(enqueue(request, index, /*landed=*/true))];
  seq.generated_tokens = 1;  // sampled by the prefill replica
  seq.landed_tokens = request.input_tokens;
  seq.last_token_ns = landed_ns;
  // Sampled elsewhere: never the iteration before one of this replica's (index - 1 >= -1),
  // so its next token's gap is measured from landed_ns.
  seq.last_token_iteration = -2;
  seq.admitted_before = true;  // its record's scheduled_ns and cached_tokens are the prefill's
  outstanding_tokens_ -= 1;
}

bool Replica::reserve_transfer_blocks(RequestIndex index, std::int64_t input_tokens) {
  const std::int64_t blocks = kv_layout_.blocks_while_computing(input_tokens, 1);
  if (blocks > kv_.num_available()) return false;
  BlockList& reserved = transfer_blocks_[index];
  LLMSIM_CHECK(reserved.empty(), "one KV reservation per request");
  const bool allocated = allocate_blocks(blocks, reserved);
  LLMSIM_CHECK(allocated, "a reservation gets the blocks counted as available");
  return true;
}

void Replica::release_transfer_blocks(RequestIndex index) {
  const auto it = transfer_blocks_.find(index);
  LLMSIM_CHECK(it != transfer_blocks_.end(), "a released KV hold exists");
  kv_.release(it->second);
  transfer_blocks_.erase(it);
}

std::int64_t Replica::transfer_blocks() const {
  std::int64_t blocks = 0;
  for (const auto& [index, list] : transfer_blocks_) blocks += list.size();
  return blocks;
}

std::int64_t Replica::blocks_available() const {
  std::int64_t available = kv_.num_available();
  if (transfer_blocks_.empty() || waiting_.empty()) return available;
  const Sequence& head = seqs_[static_cast<std::size_t>(waiting_.front())];
  if (head.landed_tokens > 0) {
    if (const auto it = transfer_blocks_.find(head.request); it != transfer_blocks_.end()) available += it->second.size();
  }
  return available;
}

Replica::Slot Replica::enqueue(const workloads::RequestSpec& request, RequestIndex index, bool landed) {
  const std::int64_t b = config_.engine.block_size;
  LLMSIM_CHECK(request.input_tokens >= 1 && request.output_tokens >= 1,
               "requests have at least one input and one output token");
  LLMSIM_CHECK(request_peak_blocks(kv_layout_, config_.engine,
                                   request.input_tokens + request.max_output_tokens() - 1) <= kv_.num_blocks(),
               "a routed request fits the replica's KV cache");
  const Slot slot = take_slot();
  Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  seq.request = index;
  seq.prompt_tokens = request.input_tokens;
  seq.output_tokens = request.output_tokens;
  seq.generated_tokens = 0;
  seq.computed_tokens = 0;
  seq.landed_tokens = 0;
  seq.registered_blocks = 0;
  seq.last_token_iteration = -1;
  seq.last_token_ns = -1;
  seq.admitted_before = false;
  seq.done = false;
  seq.acceptance_p = request_acceptance(request);
  LLMSIM_CHECK(seq.blocks.empty(), "a free slot holds no KV blocks");
  LLMSIM_CHECK(kv_.tracks_ids() || (request.num_samples() == 1 && request.prefix_hashes.empty()),
               "requests that share KV blocks (parallel samples, prefix identities) go to replicas that track block ids");
  kv_.reserve(seq.blocks, ceil_div(request.input_tokens + request.output_tokens - 1, b));
  if (kv_.prefix_caching()) {
    content_id_cache_.compute(request, 0, b, seq.content_ids);
  } else {
    seq.content_ids.clear();
  }
  (*records_)[index].samples = static_cast<std::int32_t>(request.num_samples());
  if (request.num_samples() > 1) pending_forks_.insert_or_assign(slot, request);
  if (landed) {
    waiting_.push_landed(slot);
  } else {
    waiting_.push_arrived(slot, request);
  }
  outstanding_tokens_ += request.input_tokens + request.total_output_tokens();
  pending_prompt_tokens_ += request.input_tokens;
  metrics_->on_waiting_change(+1);
  return slot;
}

void Replica::push_running(Slot slot) {
  seqs_[static_cast<std::size_t>(slot)].admission_order = next_admission_order_++;
  running_.push_back(slot);
}

void Replica::begin_plan(workloads::TimeNs now) {
  LLMSIM_CHECK(!in_flight_, "a replica runs one iteration at a time");
  LLMSIM_CHECK(has_work(), "an iteration is planned only when there is work");
  LLMSIM_CHECK(now >= last_end_ns_, "time never goes backward (replica)");
  plan_.index = next_iteration_++;
  plan_.start_ns = now;
  plan_.seqs.clear();
  plan_.group_seqs = 0;
  plan_.shape = hw::BatchShape{};
  plan_.prefill_sampled_seqs = 0;
  plan_.preempted = 0;
  plan_.admitted = 0;
  plan_.finishing_seqs = 0;
  plan_.admission_stop = AdmissionStop::not_tried;
  plan_.offload_load_s = 0.0;
  if (config_.engine.speculative.enabled()) begin_speculative_plan();
}

workloads::TimeNs Replica::plan_iteration(workloads::TimeNs now) {
  if (!group_.empty()) dissolve_group();
  begin_plan(now);
  plan_with_engine_policy(*this);
  if (plan_.seqs.empty() && !transfer_blocks_.empty()) {
    // Nothing runs, and the waiting head needs blocks that transfers hold (disaggregation):
    // no iteration until a transfer ends and frees or brings them.
    LLMSIM_CHECK(running_.empty() && group_.empty(), "only an idle replica waits on transfers");
    --next_iteration_;
    return kNoIteration;
  }
  LLMSIM_CHECK(!plan_.seqs.empty(), "a replica with work schedules at least one sequence");
  LLMSIM_CHECK(plan_.shape.total_new_tokens() <= config_.engine.max_num_batched_tokens ||
                   plan_.seqs.size() == 1,
               "an iteration stays within max_num_batched_tokens (bar a lone oversize recompute)");
  return end_plan();
}

void Replica::set_lockstep_time(double time_s) {
  LLMSIM_CHECK(in_flight_, "a lockstep step times the iteration in flight");
  plan_.cost.time_s = time_s;
  plan_.end_ns = plan_.start_ns + step_ns(time_s);
}

void Replica::check_decode_sums() const {
  // Verify steps are decode steps in the shape's verify rows (IterationPlan's verify fields). DSA caps
  // the attention's keys at the top-k; its indexer's keys are the whole context.
  const double decode_keys = config_.architecture->has_sparse_attention() ? plan_.shape.decode_indexer_keys
                                                                          : plan_.shape.decode_kv_tokens;
  LLMSIM_CHECK(plan_.shape.decode_seqs + plan_.verify_seqs == decode_seqs_ &&
                   (!kv_layout_.plain() ||
                    decode_keys + static_cast<double>(plan_.verify_context_tokens + plan_.verify_seqs) ==
                        static_cast<double>(decode_context_tokens_ + decode_seqs_)),
               "the running decode sums match the batch built from the sequences");
}

bool Replica::grow_blocks(Sequence& seq, std::int64_t new_tokens) {
  const std::int64_t needed = kv_layout_.blocks_while_computing(seq.computed_tokens, new_tokens) -
                              static_cast<std::int64_t>(seq.blocks.size());
  if (needed <= 0) return true;
  return allocate_blocks(needed, seq.blocks);
}

void Replica::trim_blocks(Sequence& seq) {
  const std::int64_t excess = seq.blocks.size() - kv_layout_.blocks_held(seq.computed_tokens);
  if (excess > 0) kv_.release_tail(seq.blocks, excess);
}

Replica::Slot Replica::preempt_last() {
  const Slot slot = running_.back();
  running_.pop_back();
  Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  if (seq.decoding()) {
    --decode_seqs_;
    decode_context_tokens_ -= seq.computed_tokens;
  }
  // Full blocks of computed tokens past the registered ones stay cached, parked.
  const std::int64_t full_blocks = std::min(seq.computed_tokens / config_.engine.block_size, seq.blocks.size());
  const std::int64_t parked = parks_preempted_blocks() ? std::max<std::int64_t>(0, full_blocks - seq.registered_blocks) : 0;
  seq.parked_after = seq.registered_blocks;
  kv_.release(seq.blocks);
  parked_.park(slot, parked);
  fork_seats_reserved_ -= pending_forks(slot);  // an unforked request gives its seats back
  outstanding_tokens_ += std::min(seq.computed_tokens, seq.prompt_tokens);
  pending_prompt_tokens_ += std::min(seq.computed_tokens, seq.prompt_tokens);
  seq.computed_tokens = 0;
  seq.registered_blocks = 0;
  ++record(seq).preemptions;
  waiting_.push_front(slot);
  ++plan_.preempted;
  metrics_->on_preemption();
  metrics_->on_waiting_change(+1);
  return slot;
}

void Replica::schedule(Slot slot, std::int64_t new_tokens) {
  const Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  ScheduledSeq s;
  s.slot = slot;
  s.request = seq.request;
  s.new_tokens = new_tokens;
  s.context_tokens = seq.computed_tokens;
  s.decode = seq.decoding();
  s.samples = seq.computed_tokens + new_tokens == seq.tokens();
  if (s.decode && new_tokens > 1) {
    schedule_verify(s, seq);
    return;
  }
  plan_.seqs.push_back(s);
  hw::BatchShape& shape = plan_.shape;
  const core::Architecture& architecture = *config_.architecture;
  if (s.decode) {
    ++shape.decode_seqs;
    shape.decode_kv_tokens += architecture.mean_decode_keys(seq.computed_tokens);
    shape.decode_indexer_keys += architecture.indexer_pairs(1, seq.computed_tokens);
  } else {
    ++shape.prefill_seqs;
    shape.prefill_tokens += new_tokens;
    shape.prefill_attention_pairs += architecture.mean_attention_pairs(new_tokens, seq.computed_tokens);
    shape.prefill_kv_tokens += architecture.mean_prefill_kv_tokens(new_tokens, seq.computed_tokens);
    shape.prefill_indexer_pairs += architecture.indexer_pairs(new_tokens, seq.computed_tokens);
    if (s.samples) ++plan_.prefill_sampled_seqs;
  }
  if (s.samples) {
    ++shape.sampled_seqs;
    if (seq.generated_tokens + 1 == seq.output_tokens) ++plan_.finishing_seqs;
  }
}

void Replica::price_prefill_share() {
  const hw::BatchShape& shape = plan_.shape;
  const core::PreciseFlopCoefficients& k = config_.flop_coefficients;
  double prefill = k.matmul_flops_per_token * static_cast<double>(shape.prefill_tokens) +
                   k.attention_flops_per_pair * shape.prefill_attention_pairs +
                   k.lm_head_flops_per_sample * static_cast<double>(plan_.prefill_sampled_seqs);
  // Verify rows (speculative decoding) are decode work in the decode kernel (hw), so their
  // pairs take the decode coefficient (absorbed for MLA).
  const auto verify_tokens = static_cast<double>(shape.verify_tokens);
  double decode = k.matmul_flops_per_token * (static_cast<double>(shape.decode_seqs) + verify_tokens) +
                  k.decode_attention_flops_per_pair * (shape.decode_kv_tokens + shape.verify_attention_pairs) +
                  k.lm_head_flops_per_sample * (static_cast<double>(shape.decode_seqs) + verify_tokens);
  if (shape.has_indexer_work()) {  // DSA's lightning indexer (skipped otherwise: the sums keep their bits)
    const double indexer = config_.architecture->indexer_flops_per_key();
    prefill += indexer * shape.prefill_indexer_pairs;
    decode += indexer * (shape.decode_indexer_keys + shape.verify_indexer_pairs);
  }
  if (prefill + decode > 0.0) {
    plan_.prefill_flops_share = prefill / (prefill + decode);
  } else {
    plan_.prefill_flops_share = shape.prefill_tokens > 0 ? 1.0 : 0.0;
  }
  // The draft passes' FLOPs (in cost.flops) are decode work.
  if (plan_.draft_flops > 0.0 && plan_.cost.flops > 0.0) {
    plan_.prefill_flops_share *= (plan_.cost.flops - plan_.draft_flops) / plan_.cost.flops;
  }
}

bool Replica::parks_preempted_blocks() const { return kv_.prefix_caching() && kv_layout_.plain(); }

KvBlockManager::PrefixHit Replica::prefix_hit(Slot slot) const {
  KvBlockManager::PrefixHit hit = registered_hit(seqs_[static_cast<std::size_t>(slot)]);
  const std::int64_t parked = parked_hit(slot, hit);
  hit.blocks += parked;
  hit.evictable_blocks += parked;  // free blocks to the manager until taken back
  return hit;
}

std::int64_t Replica::most_cached_blocks(const Sequence& seq) const {
  // Never the whole sequence: at least its last token is computed, so a token is sampled.
  return (seq.tokens() - 1) / config_.engine.block_size;
}

KvBlockManager::PrefixHit Replica::registered_hit(const Sequence& seq) const {
  if (!kv_.prefix_caching() || seq.content_ids.empty()) return {};
  const std::int64_t max_blocks = std::min(static_cast<std::int64_t>(seq.content_ids.size()), most_cached_blocks(seq));
  const std::span<const std::uint64_t> ids(seq.content_ids.data(), static_cast<std::size_t>(max_blocks));
  KvBlockManager::PrefixHit hit = kv_.lookup(ids);
  if (offload_ != nullptr && hit.blocks < max_blocks) {
    hit.offloaded_blocks = offload_->lookup(ids.subspan(static_cast<std::size_t>(hit.blocks)));
  }
  return hit;
}

std::int64_t Replica::parked_hit(Slot slot, const KvBlockManager::PrefixHit& registered) const {
  const Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
  // Parked blocks continue the chain only where the registered blocks were all found again.
  const std::int64_t parked = parked_.surviving(slot);
  if (parked == 0 || registered.blocks != seq.parked_after || registered.offloaded_blocks > 0) return 0;
  return std::min(parked, most_cached_blocks(seq) - registered.blocks);
}

void Replica::audit() const {
  LLMSIM_CHECK(!in_flight_, "a replica is audited between iterations");
  kv_.audit();
  std::vector<std::int32_t> holders(static_cast<std::size_t>(kv_.num_blocks()), 0);
  const auto hold = [&holders](KvBlockManager::BlockId block) {
    LLMSIM_CHECK(block >= 0 && static_cast<std::size_t>(block) < holders.size(), "a held KV block exists");
    ++holders[static_cast<std::size_t>(block)];
  };
  if (!kv_.tracks_ids()) {
    std::int64_t held = group_blocks_.size() + transfer_blocks();
    for (const Sequence& seq : seqs_) held += seq.blocks.size();
    LLMSIM_CHECK(held == kv_.num_allocated(), "the KV blocks held add up to the blocks allocated");
    return;
  }
  for (const Sequence& seq : seqs_) {
    for (const KvBlockManager::BlockId block : seq.blocks.ids()) hold(block);
  }
  for (const KvBlockManager::BlockId block : group_blocks_.ids()) hold(block);
  for (const auto& [index, list] : transfer_blocks_) {
    for (const KvBlockManager::BlockId block : list.ids()) hold(block);
  }
  for (std::size_t b = 0; b < holders.size(); ++b) {
    LLMSIM_CHECK(holders[b] == kv_.ref_count(static_cast<KvBlockManager::BlockId>(b)),
                 "every KV block is held by exactly as many requests as its reference count");
  }
}

}  // namespace llmsim::sim
