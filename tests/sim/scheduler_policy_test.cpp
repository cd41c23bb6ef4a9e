// The scheduling policies drive any SchedulerContext: here a hand-made one with a fixed pool
// of KV blocks and no engine behind it, so each test states the whole state it plans over.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/architecture.h"
#include "sim/scheduler/vllm_scheduler.h"
#include "sim_test_support.h"

using namespace llmsim::sim;

namespace {

/// Sequences with blocks counted per slot; every block is one KV block of 16 tokens.
class FakeContext final : public SchedulerContext {
 public:
  FakeContext(EngineConfig engine, std::int64_t blocks)
      : engine_(engine),
        layout_(llmsim::core::Architecture(testing::llama_3_1_8b()), engine.block_size),
        free_blocks_(blocks) {}

  Slot add_running(std::int64_t prompt, std::int64_t generated) {
    const Slot slot = add(prompt, generated);
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    seq.computed_tokens = seq.tokens() - 1;  // decoding: its last sampled token is new
    held_[static_cast<std::size_t>(slot)] = layout_.blocks_held(seq.computed_tokens);
    free_blocks_ -= held_[static_cast<std::size_t>(slot)];
    running_.push_back(slot);
    return slot;
  }
  Slot add_waiting(std::int64_t prompt) {
    const Slot slot = add(prompt, 0);
    waiting_.push_back(slot);
    return slot;
  }

  const EngineConfig& engine() const override { return engine_; }
  std::span<const Slot> running() const override { return running_; }
  const Sequence& sequence(Slot slot) const override { return seqs_[static_cast<std::size_t>(slot)]; }
  bool waiting_empty() const override { return waiting_.empty(); }
  Slot waiting_front() const override { return waiting_.front(); }
  std::int64_t seats_taken() const override { return static_cast<std::int64_t>(running_.size()); }
  std::int64_t pending_forks(Slot) const override { return 0; }
  KvBlockManager::PrefixHit prefix_hit(Slot) const override { return {}; }
  std::int64_t blocks_available() const override { return free_blocks_; }
  const KvLayout& kv_layout() const override { return layout_; }
  IterationPlan& plan_in_progress() override { return plan_; }
  bool grow_blocks(Slot slot, std::int64_t new_tokens) override {
    const Sequence& seq = sequence(slot);
    const std::int64_t need =
        layout_.blocks_while_computing(seq.computed_tokens, new_tokens) - held_[static_cast<std::size_t>(slot)];
    if (need > free_blocks_) return false;
    free_blocks_ -= std::max<std::int64_t>(need, 0);
    held_[static_cast<std::size_t>(slot)] += std::max<std::int64_t>(need, 0);
    return true;
  }
  Slot preempt_last() override {
    const Slot slot = running_.back();
    running_.pop_back();
    free_blocks_ += std::exchange(held_[static_cast<std::size_t>(slot)], 0);
    seqs_[static_cast<std::size_t>(slot)].computed_tokens = 0;
    waiting_.push_front(slot);
    ++plan_.preempted;
    return slot;
  }
  void schedule(Slot slot, std::int64_t new_tokens) override {
    ScheduledSeq s;
    s.slot = slot;
    s.new_tokens = new_tokens;
    s.decode = sequence(slot).decoding();
    plan_.seqs.push_back(s);
    if (s.decode) {
      ++plan_.shape.decode_seqs;
    } else {
      plan_.shape.prefill_tokens += new_tokens;
    }
  }
  void admit_front(const KvBlockManager::PrefixHit&, std::int64_t blocks_needed, std::int64_t new_tokens) override {
    const Slot slot = waiting_.front();
    waiting_.pop_front();
    free_blocks_ -= blocks_needed;
    held_[static_cast<std::size_t>(slot)] = blocks_needed;
    running_.push_back(slot);
    schedule(slot, new_tokens);
    ++plan_.admitted;
  }
  void check_decode_sums() const override {}

 private:
  Slot add(std::int64_t prompt, std::int64_t generated) {
    Sequence seq;
    seq.prompt_tokens = prompt;
    seq.output_tokens = generated + 100;
    seq.generated_tokens = generated;
    seqs_.push_back(seq);
    held_.push_back(0);
    return static_cast<Slot>(seqs_.size() - 1);
  }

  EngineConfig engine_;
  KvLayout layout_;
  std::int64_t free_blocks_;
  std::vector<Sequence> seqs_;
  std::vector<std::int64_t> held_;
  std::vector<Slot> running_;
  std::deque<Slot> waiting_;
  IterationPlan plan_;
};

EngineConfig engine(bool chunked, std::int64_t budget) {
  EngineConfig e;
  e.chunked_prefill = chunked;
  e.max_num_batched_tokens = budget;
  e.block_size = 16;
  return e;
}

}  // namespace

TEST_CASE("vLLM V1 decodes the running requests first, then chunks a waiting prompt into the budget") {
  FakeContext context(engine(true, 100), 1000);
  const auto a = context.add_running(40, 3);
  const auto b = context.add_running(50, 1);
  const auto w = context.add_waiting(500);
  plan_vllm_v1(context);
  const IterationPlan& plan = context.plan_in_progress();
  REQUIRE(plan.seqs.size() == 3);
  CHECK(plan.seqs[0].slot == a);
  CHECK(plan.seqs[1].slot == b);
  CHECK(plan.seqs[2].slot == w);
  CHECK(plan.seqs[2].new_tokens == 98);  // the budget's rest
  CHECK(plan.admission_stop == AdmissionStop::queue_empty);  // the chunk admitted it
}

TEST_CASE("vLLM V0 runs an iteration of whole prompts only when it admits one") {
  FakeContext context(engine(false, 600), 1000);
  context.add_running(40, 3);
  const auto w = context.add_waiting(500);
  plan_vllm_v0(context);
  const IterationPlan& plan = context.plan_in_progress();
  REQUIRE(plan.seqs.size() == 1);
  CHECK(plan.seqs[0].slot == w);
  CHECK(plan.seqs[0].new_tokens == 500);
  CHECK(plan.shape.decode_seqs == 0);
}

TEST_CASE("vLLM V1 preempts the newest running request when blocks run out, and admits nobody") {
  // Two requests each at a block boundary need one more block; only one is free.
  FakeContext context(engine(true, 100), 5);
  const auto a = context.add_running(32, 1);  // 32 computed: 2 blocks, its next token needs a 3rd
  const auto b = context.add_running(32, 1);
  context.add_waiting(10);
  plan_vllm_v1(context);
  const IterationPlan& plan = context.plan_in_progress();
  REQUIRE(plan.seqs.size() == 1);
  CHECK(plan.seqs[0].slot == a);
  CHECK(plan.preempted == 1);
  CHECK(context.waiting_front() == b);  // back at the front of the queue
  CHECK(plan.admitted == 0);
}
