// The scheduling policies drive any SchedulerContext: here a hand-made one with a fixed pool
// of KV blocks and no engine behind it, so each test states the whole state it plans over.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "core/architecture.h"
#include "sim/scheduler/sglang_scheduler.h"
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
        free_blocks_(blocks),
        total_blocks_(blocks) {}

  Slot add_running(std::int64_t prompt, std::int64_t generated) {
    const Slot slot = add(prompt, generated);
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    seq.computed_tokens = seq.tokens() - 1;  // decoding: its last sampled token is new
    held_[static_cast<std::size_t>(slot)] = layout_.blocks_held(seq.computed_tokens);
    free_blocks_ -= held_[static_cast<std::size_t>(slot)];
    running_.push_back(slot);
    return slot;
  }
  /// A running request still in its prompt: `computed` of its `prompt` tokens computed.
  Slot add_prefilling(std::int64_t prompt, std::int64_t computed) {
    const Slot slot = add(prompt, 0);
    Sequence& seq = seqs_[static_cast<std::size_t>(slot)];
    seq.computed_tokens = computed;
    held_[static_cast<std::size_t>(slot)] = layout_.blocks_held(computed);
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
  std::int64_t total_blocks() const override { return total_blocks_; }
  std::int64_t blocks_held(Slot slot) const override { return held_[static_cast<std::size_t>(slot)]; }
  const KvLayout& kv_layout() const override { return layout_; }
  std::int64_t draft_tokens(Slot) const override { return 0; }  // no speculative decoding
  IterationPlan& plan_in_progress() override { return plan_; }
  PolicyState& policy_state() override { return state_; }
  const PolicyState& policy_state() const override { return state_; }
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
  std::int64_t total_blocks_;
  std::vector<Sequence> seqs_;
  std::vector<std::int64_t> held_;
  std::vector<Slot> running_;
  std::deque<Slot> waiting_;
  IterationPlan plan_;
  PolicyState state_{.new_token_ratio = engine_.new_token_ratio.initial_ratio};
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

TEST_CASE("vLLM V0's watermark keeps 1% of the blocks free at admission; V1 admits into them") {
  // 200 blocks: watermark int(0.01 x 200) = 2. The running request holds 3 (42 tokens), 197
  // are free; a 3,120-token prompt needs 195 blocks: 197 - 195 = 2 >= 2 admits it, a
  // 3,136-token one needs 196: 1 < 2 refuses it, where V1 (no watermark) admits it.
  for (const auto& boundary : {std::pair{3120, true}, std::pair{3136, false}}) {
    const int prompt = boundary.first;
    const bool v0_admits = boundary.second;
    CAPTURE(prompt);
    EngineConfig e = engine(false, 8192);
    e.kind = EngineKind::vllm_v0;
    e.admission = KvAdmission::watermark;
    e.watermark = 0.01;
    FakeContext v0(e, 200);
    v0.add_running(40, 3);
    v0.add_waiting(prompt);
    plan_vllm_v0(v0);
    CHECK((v0.plan_in_progress().admitted == 1) == v0_admits);
    if (!v0_admits) CHECK(v0.plan_in_progress().admission_stop == AdmissionStop::kv_blocks);

    FakeContext v1(engine(false, 8192), 200);
    v1.add_running(40, 3);
    v1.add_waiting(prompt);
    plan_vllm_v0(v1);
    CHECK(v1.plan_in_progress().admitted == 1);
  }
}

TEST_CASE("TensorRT-LLM's GUARANTEED_NO_EVICT sets aside prompt + output blocks of every request") {
  // Running: 40-token prompt, 3 generated, 103 output tokens in all: its whole request is
  // ceil(143 / 16) = 9 blocks, it holds ceil(42 / 16) = 3, so 6 stay set aside. Waiting: a
  // 100-token prompt with 100 output tokens: ceil(200 / 16) = 13 blocks. With 21 blocks (18
  // free) 13 > 18 - 6 refuses it although its prompt (7 blocks) fits; with 22 it is admitted.
  for (const auto& boundary : {std::pair{21, false}, std::pair{22, true}}) {
    const int blocks = boundary.first;
    const bool admits = boundary.second;
    CAPTURE(blocks);
    EngineConfig e = engine(false, 8192);
    e.kind = EngineKind::trtllm;
    e.admission = KvAdmission::full_reservation;
    FakeContext context(e, blocks);
    const auto a = context.add_running(40, 3);
    const auto w = context.add_waiting(100);
    plan_trtllm(context);
    const IterationPlan& plan = context.plan_in_progress();
    CHECK(plan.admitted == (admits ? 1 : 0));
    REQUIRE(plan.seqs.size() == (admits ? 2u : 1u));
    CHECK(plan.seqs[0].slot == a);  // generation requests first
    if (admits) {
      CHECK(plan.seqs[1].slot == w);
      CHECK(plan.seqs[1].new_tokens == 100);  // the whole prompt, in the same iteration
    } else {
      CHECK(plan.admission_stop == AdmissionStop::kv_blocks);
    }
  }
}

TEST_CASE("TensorRT-LLM mixes decodes with whole prompts up to max_num_tokens, never a partial prompt") {
  EngineConfig e = engine(false, 400);
  e.kind = EngineKind::trtllm;
  e.admission = KvAdmission::full_reservation;
  FakeContext context(e, 1000);
  const auto a = context.add_running(40, 3);
  const auto w1 = context.add_waiting(300);
  context.add_waiting(200);  // 1 + 300 + 200 > 400: waits for the next iteration
  plan_trtllm(context);
  const IterationPlan& plan = context.plan_in_progress();
  REQUIRE(plan.seqs.size() == 2);
  CHECK(plan.seqs[0].slot == a);
  CHECK(plan.seqs[1].slot == w1);
  CHECK(plan.seqs[1].new_tokens == 300);
  CHECK(plan.shape.decode_seqs == 1);
  CHECK(plan.admission_stop == AdmissionStop::token_budget);
}

namespace {

/// SGLang as configs/engines/sglang.yaml sets it (prefill and decode batches apart), with a
/// 64-token chunk and 16-token blocks; every request owes 100 more output tokens
/// (FakeContext: output = generated + 100).
EngineConfig sglang_engine() {
  EngineConfig e = engine(/*chunked=*/true, 64);
  e.kind = EngineKind::sglang;
  e.admission = KvAdmission::new_token_ratio;
  e.mixed_chunk = false;
  return e;
}

bool scheduled(const IterationPlan& plan, SchedulerContext::Slot slot) {
  return std::any_of(plan.seqs.begin(), plan.seqs.end(), [slot](const ScheduledSeq& s) { return s.slot == slot; });
}

}  // namespace

TEST_CASE("SGLang runs a prefill batch apart: the running decodes wait while a waiting prompt is admitted") {
  FakeContext context(sglang_engine(), 100);
  const auto decoding = context.add_running(32, 5);
  const auto waiting = context.add_waiting(40);
  plan_sglang(context);
  const IterationPlan& plan = context.plan_in_progress();
  // Reserved: ceil(0.7 x 100 owed / 16) = 5 blocks. The prompt needs ceil((40 + 100) / 16) = 9
  // <= 97 free - 5: admitted, whole, and the decode does not step.
  CHECK(plan.seqs.size() == 1);
  CHECK(scheduled(plan, waiting));
  CHECK_FALSE(scheduled(plan, decoding));
  CHECK(plan.shape.prefill_tokens == 40);
  CHECK(plan.shape.decode_seqs == 0);
  CHECK(context.policy_state().new_token_ratio == doctest::Approx(0.7));  // no decode batch
}

TEST_CASE("SGLang's decode batch steps every running request and decays new_token_ratio") {
  FakeContext context(sglang_engine(), 100);
  context.add_running(32, 5);
  context.add_running(48, 2);
  plan_sglang(context);
  CHECK(context.plan_in_progress().shape.decode_seqs == 2);
  // (0.7 - 0.7 x 0.14) / 600 per decode batch.
  CHECK(context.policy_state().new_token_ratio == doctest::Approx(0.7 - (0.7 - 0.098) / 600.0));
}

TEST_CASE("SGLang admits only what fits beside new_token_ratio x the running decodes' owed tokens") {
  // One decode: prompt 32, 1 generated, 2 blocks held, owes 100 tokens -> reserves
  // ceil(0.7 x 100 / 16) = 5 blocks. A 16-token prompt owing 100 needs ceil(116 / 16) = 8.
  for (const auto& boundary : {std::pair<std::int64_t, bool>{14, false}, {15, true}}) {
    // Named copies, not a structured binding: clang 14 cannot capture one in CAPTURE.
    const std::int64_t blocks = boundary.first;
    const bool admitted = boundary.second;
    CAPTURE(blocks);
    FakeContext context(sglang_engine(), blocks);
    const auto decoding = context.add_running(32, 1);
    const auto waiting = context.add_waiting(16);
    plan_sglang(context);
    const IterationPlan& plan = context.plan_in_progress();
    // 14 blocks: 12 free - 5 reserved = 7 < 8, so a decode batch instead (vLLM V1's
    // step_blocks would have admitted it: its first block is free).
    CHECK(scheduled(plan, waiting) == admitted);
    CHECK(scheduled(plan, decoding) == !admitted);
    CHECK(plan.admission_stop == (admitted ? AdmissionStop::queue_empty : AdmissionStop::kv_blocks));
  }
}

TEST_CASE("An SGLang retraction resets new_token_ratio from the requests left") {
  // Two decodes each hold 2 blocks and need a third for token 33; one block is free.
  FakeContext context(sglang_engine(), 5);
  const auto first = context.add_running(28, 5);
  const auto second = context.add_running(28, 5);
  plan_sglang(context);
  const IterationPlan& plan = context.plan_in_progress();
  CHECK(plan.preempted == 1);
  CHECK(scheduled(plan, first));
  CHECK_FALSE(scheduled(plan, second));
  // min(1, (5 generated + 20 x 1 request) / (105 max new + 1)).
  CHECK(context.policy_state().new_token_ratio == doctest::Approx(25.0 / 106.0));
}

TEST_CASE("SGLang's prefill batch continues the chunked prompt first, and a cut prompt sets no output aside") {
  FakeContext context(sglang_engine(), 100);
  const auto decoding = context.add_running(32, 5);
  const auto chunked = context.add_prefilling(100, 64);
  const auto waiting = context.add_waiting(200);
  plan_sglang(context);
  const IterationPlan& plan = context.plan_in_progress();
  REQUIRE(plan.seqs.size() == 2);
  CHECK(plan.seqs[0].slot == chunked);
  CHECK(plan.seqs[0].new_tokens == 36);
  CHECK(plan.seqs[1].slot == waiting);
  CHECK(plan.seqs[1].new_tokens == 28);  // the rest of the 64-token chunk
  CHECK_FALSE(scheduled(plan, decoding));
}

TEST_CASE("SGLang with mixed_chunk steps the decodes beside the admissions, as vLLM V1 does") {
  EngineConfig e = sglang_engine();
  e.mixed_chunk = true;
  FakeContext context(e, 100);
  const auto decoding = context.add_running(32, 5);
  const auto waiting = context.add_waiting(40);
  plan_sglang(context);
  const IterationPlan& plan = context.plan_in_progress();
  CHECK(scheduled(plan, decoding));
  CHECK(scheduled(plan, waiting));
  CHECK(context.policy_state().new_token_ratio == doctest::Approx(0.7 - (0.7 - 0.098) / 600.0));
}
