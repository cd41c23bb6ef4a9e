// Parallelism: how one replica of a model is split over its GPUs (DESIGN.md section 1,
// "Seams": a parallelism joins here, with the work items it adds).
#pragma once

#include "hw/expert_balance.h"
#include "hw/overlap_schedule.h"

namespace llmsim::hw {

/// One replica's GPUs: pipeline_parallel stages, each of attention_data_parallel attention
/// ranks of tensor_parallel GPUs, so gpus() = PP x DP x TP, ordered stage-major (stage s
/// owns GPUs [s x DP x TP, (s+1) x DP x TP) of the replica).
///
/// - tensor_parallel: every layer's attention (and, without expert parallelism, its MLP or
///   experts) split Megatron-style over TP GPUs, two all-reduces per layer
///   (hw/iteration_work_model.h).
/// - attention_data_parallel (DP): attention replicated on DP ranks, each with its own
///   share of the batch and its own KV cache; the ranks meet at every MoE layer. Only with
///   expert parallelism (vLLM: "expert layers form a tensor parallel group of size DP x TP"
///   unless --enable-expert-parallel; llmsim models the expert-parallel case only).
/// - expert_parallel (EP): the routed experts of a MoE layer sharded whole over EP GPUs,
///   which must be all DP x TP GPUs of a stage (vLLM's --enable-expert-parallel: "EP size =
///   TP x DP"; SGLang's --enable-dp-attention --ep-size = --tp; TensorRT-LLM's
///   moe_expert_parallel_size with enable_attention_dp). With DP > 1 a token's hidden state
///   travels to its experts' GPUs and back (all-to-all dispatch and combine, DeepEP); with
///   DP = 1 every GPU already holds every token, and the all-reduce combines as under TP.
/// - pipeline_parallel (PP): the layers cut into PP stages (vLLM's get_pp_indices), the
///   activations sent from stage to stage, PP micro-batches in flight (vLLM's virtual
///   engines / V1 batch queue: one batch per stage).
/// - two_batch_overlap: each iteration's batch runs as two micro-batches whose all-to-all
///   hides under the other's compute (SGLang --enable-two-batch-overlap, vLLM --enable-dbo;
///   hw/step_time_model_parallel.cpp). Only with attention DP > 1 and expert parallelism.
/// - overlap_schedule: which engine's stage layout pairs the all-to-all phases with compute
///   under two_batch_overlap (hw/overlap_schedule.h).
/// - expert_balancer: how the experts are placed over the EP GPUs, which sets how much
///   busier the busiest GPU is than the mean (hw/expert_balance.h, expert_load_factor).
struct Parallelism {
  int tensor_parallel = 1;          ///< GPUs each layer's attention is split over, >= 1
  int pipeline_parallel = 1;        ///< stages of layers, >= 1
  int attention_data_parallel = 1;  ///< attention ranks per stage, >= 1
  int expert_parallel = 1;          ///< GPUs the routed experts are sharded over: 1 or DP x TP
  ExpertBalancer expert_balancer = ExpertBalancer::none;  ///< used only when expert_parallel > 1
  bool two_batch_overlap = false;   ///< used only with an all-to-all (DP > 1, EP > 1)
  OverlapSchedule overlap_schedule = OverlapSchedule::sglang_tbo;  ///< used only with two_batch_overlap

  /// GPUs of one replica, the factor that turns one GPU's work into the replica's (for
  /// tensor parallelism alone; the other layouts sum their own totals).
  int gpus() const { return tensor_parallel * attention_data_parallel * pipeline_parallel; }
  /// GPUs of one pipeline stage: DP x TP.
  int gpus_per_stage() const { return tensor_parallel * attention_data_parallel; }
  /// Whether this is tensor parallelism alone (or one GPU): the path every golden run prices.
  bool tensor_only() const {
    return pipeline_parallel == 1 && attention_data_parallel == 1 && expert_parallel == 1;
  }
};

}  // namespace llmsim::hw
