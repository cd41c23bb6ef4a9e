// Blackwell serving sets: the FP4 rows that llmsim can express since issue 23 gave it NVFP4 /
// MXFP4 weights and Blackwell presets. VALIDATION only: nothing was fitted to these rows, and
// every Blackwell preset's efficiencies are carried over from the h100-sxm calibration.
//
// TensorRT-LLM perf overview (data/reference/2026/trtllm-perfoverview-1.2_<model>_multi-gpu.csv,
//    each file's header gives source and setup): trtllm-bench offline throughput, every request
//    queued at t = 0 with exactly ISL input and OSL output tokens, replayed with the trtllm engine
//    preset exactly as the Hopper rows are (app/trtllm_bench_replay.h). Rows taken: precision
//    FP4 on B200 (b200), GB200 (gb200) and the RTX PRO 6000 Blackwell Server Edition
//    (rtx-pro-6000) under plain tensor parallelism ("TPn", or "TPn,PP1" on the RTX rows).
//    Listed as not expressible: attention-DP + expert-parallel rows (DEPn) and pipeline
//    parallelism (PP > 1). gpt-oss-120b's H200 TP1 rows (FP8 in the table: MXFP4 experts,
//    bf16 KV) are replayed here too, as a set of their own: the Hopper set does not read
//    that file.
//    Formats: Llama-3.3-70B and Qwen3-30B-A3B ran ModelOpt NVFP4 checkpoints
//    (nvidia/Llama-3.3-70B-Instruct-FP4, nvidia/Qwen3-30B-A3B-FP4): nvfp4 weights, KV cache FP8
//    (Llama's hf_quant_config.json: kv_cache_quant_algo FP8; Qwen's is not restated in the
//    file: FP8 assumed, ModelOpt's FP4 recipe default). gpt-oss-20b/120b ran their MXFP4
//    experts with 16-bit attention and "kv_cache_config.dtype fp8" (the files' headers): the
//    presets price the experts at MXFP4's bytes; their expert GEMMs share the 16-bit rate with
//    attention's projections (llmsim prices one GEMM rate per model: hw/compute_dtypes.h).
// The vLLM FP8 KV-cache post's B200 rows are a set of the same file's replay
// (app/serving_set_vllm_fp8kv.cpp, vllm_fp8kv_b200_sets).
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "app/trtllm_bench_replay.h"

namespace llmsim::app {

void trtllm_blackwell_sets(const std::string& dir, std::vector<SetResult>& sets) {
  static constexpr PerfOverviewTable kTables[] = {
      {"trtllm-perfoverview-1.2_llama-3.3-70b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Llama-3.3-70B NVFP4, Blackwell TP: offline, all at t=0", "llama-3.1-70b",
       core::DType::nvfp4, core::DType::fp8},
      {"trtllm-perfoverview-1.2_qwen3-30b-a3b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Qwen3-30B-A3B NVFP4, Blackwell TP: offline, all at t=0", "qwen3-30b-a3b",
       core::DType::nvfp4, core::DType::fp8},
      {"trtllm-perfoverview-1.2_gpt-oss-20b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-20b MXFP4 experts, Blackwell TP: offline, all at t=0", "gpt-oss-20b",
       core::DType::bf16, core::DType::fp8},
      {"trtllm-perfoverview-1.2_gpt-oss-120b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-120b MXFP4 experts, Blackwell TP: offline, all at t=0", "gpt-oss-120b",
       core::DType::bf16, core::DType::fp8},
      // The file's Hopper rows, which the Hopper set does not read: H200 TP1 (its H100 rows
      // are DEP4), KV cache "auto" = bf16 on Hopper (the file's header).
      {"trtllm-perfoverview-1.2_gpt-oss-120b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-120b MXFP4 experts, H200 TP1: offline, all at t=0", "gpt-oss-120b",
       core::DType::bf16, core::DType::bf16, true}};
  for (const PerfOverviewTable& table : kTables) replay_perf_overview_table(dir, table, sets);
}

}  // namespace llmsim::app
