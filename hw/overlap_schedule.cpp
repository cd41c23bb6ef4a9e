// The engines' two-batch-overlap schedules played out on one compute stream and one link
// (hw/overlap_schedule.h states the contract and the sources).
#include "hw/overlap_schedule.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>

#include "core/invariant.h"
#include "core/model_dims.h"

namespace llmsim::hw {
namespace {

enum class Phase { dispatch = 0, combine = 1 };

/// One step of the stream: compute for `seconds`, send a phase, or wait for its arrival.
struct StreamOp {
  enum class Kind { compute, send, receive } kind = Kind::compute;
  int micro = 0;  ///< 0 (A) or 1 (B)
  Phase phase = Phase::dispatch;
  double seconds = 0.0;
};

StreamOp compute(int micro, double seconds) { return {StreamOp::Kind::compute, micro, Phase::dispatch, seconds}; }
StreamOp send(int micro, Phase phase) { return {StreamOp::Kind::send, micro, phase, 0.0}; }
StreamOp receive(int micro, Phase phase) { return {StreamOp::Kind::receive, micro, phase, 0.0}; }

/// Plays `ops` in order: the stream's clock, the link's, and each phase's arrival.
/// Compute runs at `compute_rate_beside_comm` of its speed while the link is busy: the
/// link is busy without a gap from at or before the stream's clock to link_s_ (each phase
/// starts when sent, which is never after the stream's clock, or when the one before ends),
/// so a compute op of w seconds (alone) that starts at s with the link busy until L takes
/// w / rate when that ends by L, else (L - s) + (w - (L - s) x rate).
class Timeline {
 public:
  Timeline(double comm_s, double compute_rate_beside_comm)
      : comm_s_(comm_s), rate_beside_comm_(compute_rate_beside_comm) {}
  void run(const StreamOp& op) {
    auto& arrival = arrival_[static_cast<std::size_t>(op.micro)][static_cast<std::size_t>(op.phase)];
    switch (op.kind) {
      case StreamOp::Kind::compute: {
        const double busy_s = link_s_ - stream_s_;  // the link's work still ahead of the stream
        if (busy_s <= 0.0 || op.seconds / rate_beside_comm_ <= busy_s) {
          stream_s_ += busy_s > 0.0 ? op.seconds / rate_beside_comm_ : op.seconds;
        } else {
          stream_s_ = link_s_ + (op.seconds - busy_s * rate_beside_comm_);
        }
        break;
      }
      case StreamOp::Kind::send:
        link_s_ = std::max(stream_s_, link_s_) + comm_s_;
        arrival = link_s_;
        break;
      case StreamOp::Kind::receive:
        stream_s_ = std::max(stream_s_, arrival);
        break;
    }
  }
  double end_s() const { return std::max(stream_s_, link_s_); }

 private:
  double comm_s_;
  double rate_beside_comm_;
  double stream_s_ = 0.0;
  double link_s_ = 0.0;
  std::array<std::array<double, 2>, 2> arrival_{};
};

/// Plays stage `index` of one micro-batch's SGLang stages (operations_strategy.py: the
/// operations between two YieldOperations, the layers' operations concatenated): stage
/// index % stages-per-layer of layer index / stages-per-layer (every layer alike).
void play_sglang_stage(Timeline& timeline, int micro, bool prefill, const LayerPieces& p, std::size_t index) {
  const auto run = [&](std::initializer_list<StreamOp> ops) {
    for (const StreamOp& op : ops) timeline.run(op);
  };
  if (prefill) {
    // op_comm_prepare_attn .. op_dispatch_a | op_dispatch_b, op_experts, op_combine_a |
    // op_shared_experts, op_combine_b, op_output
    switch (index % 3) {
      case 0: run({compute(micro, p.pre + p.core), send(micro, Phase::dispatch)}); break;
      case 1: run({receive(micro, Phase::dispatch), compute(micro, p.routed), send(micro, Phase::combine)}); break;
      default: run({compute(micro, p.shared), receive(micro, Phase::combine)}); break;
    }
    return;
  }
  // op_prepare | op_core .. op_select_experts | op_dispatch_a, op_shared_experts |
  // op_dispatch_b, op_experts, op_combine_a | op_combine_b | op_output (no work here)
  switch (index % 5) {
    case 0: run({compute(micro, p.pre)}); break;
    case 1: run({compute(micro, p.core)}); break;
    case 2: run({send(micro, Phase::dispatch), compute(micro, p.shared)}); break;
    case 3: run({receive(micro, Phase::dispatch), compute(micro, p.routed), send(micro, Phase::combine)}); break;
    default: run({receive(micro, Phase::combine)}); break;
  }
}

double sglang_s(bool prefill, const LayerPieces& p, std::int64_t layers) {
  const std::size_t stages = static_cast<std::size_t>(layers) * (prefill ? 3 : 5);
  const std::size_t delta = prefill ? 0 : 2;  // tbo_delta_stages
  Timeline timeline(p.comm, p.compute_rate_beside_comm);
  // two_batch_overlap.py _execute_two_batch_raw: delta stages of A, then A and B in turn,
  // then B's last delta stages.
  for (std::size_t i = 0; i < delta; ++i) play_sglang_stage(timeline, 0, prefill, p, i);
  for (std::size_t i = delta; i < stages; ++i) {
    play_sglang_stage(timeline, 0, prefill, p, i);
    play_sglang_stage(timeline, 1, prefill, p, i - delta);
  }
  for (std::size_t i = stages - delta; i < stages; ++i) play_sglang_stage(timeline, 1, prefill, p, i);
  return timeline.end_s();
}

double vllm_s(const LayerPieces& p, std::int64_t layers) {
  Timeline timeline(p.comm, p.compute_rate_beside_comm);
  const auto run = [&](std::initializer_list<StreamOp> ops) {
    for (const StreamOp& op : ops) timeline.run(op);
  };
  // Micro-batch 1's first attention runs before the first dispatch (its later ones are in
  // the previous layer's last window).
  run({compute(1, p.pre), compute(1, p.core)});
  for (std::int64_t layer = 0; layer < layers; ++layer) {
    run({send(1, Phase::dispatch), compute(0, p.pre), compute(0, p.core), receive(1, Phase::dispatch),
         send(0, Phase::dispatch), compute(1, p.routed), receive(0, Phase::dispatch), send(1, Phase::combine),
         compute(1, p.shared), compute(0, p.routed), receive(1, Phase::combine), send(0, Phase::combine),
         compute(0, p.shared)});
    if (layer + 1 < layers) run({compute(1, p.pre), compute(1, p.core)});
    run({receive(0, Phase::combine)});
  }
  return timeline.end_s();
}

double as_double(std::int64_t value) { return static_cast<double>(value); }

}  // namespace

double overlapped_layers_s(OverlapSchedule schedule, bool prefill, const LayerPieces& pieces, std::int64_t layers) {
  core::check_invariant(layers >= 1 && pieces.pre >= 0.0 && pieces.core >= 0.0 && pieces.shared >= 0.0 &&
                            pieces.routed >= 0.0 && pieces.comm >= 0.0 && pieces.compute_rate_beside_comm > 0.0 &&
                            pieces.compute_rate_beside_comm <= 1.0,
                        "overlapped_layers_s: at least one layer, pieces >= 0, compute rate beside comm in (0, 1]");
  return schedule == OverlapSchedule::vllm_dbo ? vllm_s(pieces, layers) : sglang_s(prefill, pieces, layers);
}

AttentionSideShares attention_side_shares(const core::ModelSpec& model) {
  if (!model.is_moe()) return {};
  const double h = as_double(model.hidden_size);
  const double heads = as_double(model.num_attention_heads);
  // One layer's attention weights before and after its core (Hugging Face module shapes).
  double pre = 0.0;
  double post = 0.0;
  if (model.is_mla()) {
    // DeepSeek-V2/V3 MLA: q_a_proj h x q_lora and q_b_proj q_lora x heads x (nope + rope)
    // (or q_proj h x heads x (nope + rope)), kv_a_proj_with_mqa h x (kv_lora + rope);
    // kv_b_proj kv_lora x heads x (nope + v) splits into the key part absorbed into the
    // query before the core and the value part applied after it; o_proj heads x v x h.
    const double qk_head = as_double(model.qk_nope_head_dim + model.qk_rope_head_dim);
    const double q_lora = as_double(model.q_lora_rank);
    const double kv_lora = as_double(model.kv_lora_rank);
    pre = (model.q_lora_rank > 0 ? h * q_lora + q_lora * heads * qk_head : h * heads * qk_head) +
          h * (kv_lora + as_double(model.qk_rope_head_dim)) + kv_lora * heads * as_double(model.qk_nope_head_dim);
    post = kv_lora * heads * as_double(model.v_head_dim) + heads * as_double(model.v_head_dim) * h;
  } else {
    pre = h * as_double(core::query_width(model) + 2 * core::kv_width(model));
    post = as_double(core::query_width(model)) * h;
  }
  const double m = model.gated_mlp ? 3.0 : 2.0;
  const double router = h * as_double(model.num_experts);
  const double shared = m * h * as_double(model.num_shared_experts * core::shared_expert_width(model));
  const double dense_mlp = m * h * as_double(model.intermediate_size);
  const double moe_layers = as_double(core::moe_layer_count(model));
  const double dense_layers = as_double(model.num_layers) - moe_layers;
  const double total = moe_layers * (pre + post + router + shared) + dense_layers * (pre + post + dense_mlp);
  if (total <= 0.0) return {};
  return AttentionSideShares{.pre = moe_layers * pre / total,
                             .core = moe_layers * (post + router) / total,
                             .shared = moe_layers * shared / total};
}

}  // namespace llmsim::hw
