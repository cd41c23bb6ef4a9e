// Reading measured operator times into ProfileSamples. The format of a file is recognised
// from its header:
//   Vidur per-layer operator profile (microsoft/vidur data/profiling/compute/.../mlp.csv):
//     time_stats.<op>.median in ms for one decoder layer, plus the model shape columns
//     n_head, n_kv_head, n_embd, n_expanded_embd, use_gated_mlp and num_tokens,
//     num_tensor_parallel_workers. Carries its own model shape.
//   Vidur attention rows: tp, is_prefill, batch_size, prefill_chunk_size, kv_cache_size,
//     attn_decode_median_ms, attn_prefill_median_ms (ms, one layer). Needs a model.
//   NCCL all-reduce (Vidur data/profiling/network/.../all_reduce.csv):
//     time_stats.all_reduce.median (ms), num_workers, size (bytes), devices_per_node.
//   Our own: op, tokens, context, batch, tp, measured_s (one layer, seconds), and optionally
//     weights (the row's weight dtype, e.g. fp8; else the caller's precision). Needs a model.
//     op is one of (hw/sample_builder.h has the work each is priced with):
//       qkv_proj, o_proj (GQA/MHA attention), mlp_up_proj, mlp_down_proj (a dense model, or a
//         MoE model's dense layers), moe_router, shared_up_proj, shared_down_proj (MoE):
//         one plain GEMM of T = tokens rows;
//       moe_up_proj, moe_down_proj, moe_experts (both): the routed experts' grouped GEMMs
//         of one MoE layer for T = tokens tokens routed top-k, at the expected tile-padded
//         rows and distinct experts the step-time model prices;
//       moe_grouped_up_proj, moe_grouped_down_proj: one grouped GEMM of `batch` experts with
//         `tokens` rows each (a grouped-GEMM benchmark's balanced routing);
//       elementwise (one layer's elementwise kernels, summed; tokens = T);
//       attention_prefill (batch sequences of `tokens` new tokens on `context` cached ones;
//         MLA: expanded); attention_decode (batch sequences with `context` cached tokens
//         each; MLA: absorbed, reading the latent);
//       all_reduce (a T x hidden activation over tp GPUs).
//     Every GEMM row, MoE ones included, informs the `gemm` efficiencies: the step-time model
//     prices a layer's GEMMs, routed experts included, as one gemm item.
#pragma once

#include <string>
#include <vector>

#include "core/model_spec.h"
#include "hw/profile_sample.h"
#include "hw/precision.h"

namespace llmsim::hw {

enum class ProfileFormat { vidur_mlp, vidur_attention, nccl_all_reduce, measurements };

/// Throws core::InputError when the header matches no known format.
ProfileFormat detect_profile_format(const std::string& path);

/// All samples of a file. `model` gives the shape for formats without one (attention rows,
/// our own format) and is ignored for the others; `precision` is the storage of our own
/// format's measurements (Vidur's profiles are fp16). Throws core::InputError for bad
/// input: a missing or malformed column, a non-positive time, a format that needs a model
/// when `model` is null, a tensor-parallel size the model's heads do not divide.
std::vector<ProfileSample> read_profile(const std::string& path, const core::ModelSpec* model,
                                        const Precision& precision);

}  // namespace llmsim::hw
