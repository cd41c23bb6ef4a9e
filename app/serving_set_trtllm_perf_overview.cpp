// TensorRT-LLM perf overview, Llama-3.3-70B (data/reference/2026/trtllm-perfoverview-1.2_...csv):
// trtllm-bench offline throughput, every request queued at t = 0 with exactly ISL input and
// OSL output tokens (3000 requests at 1000-1024 ISL/OSL, 1500 at 8192/1024 and 1024/8192,
// 1000 at 32768/1024, as the file's header gives them). The H100 and H200 rows (TP2, FP8
// weights; FP8 KV assumed, which the file does not restate) are replayed with the trtllm
// engine preset; trtllm-bench's own max batch size and token budget are not published, so
// the preset's defaults stand in (app/trtllm_bench_replay.h). The B200/GB200 FP4 rows are the
// Blackwell set's (app/serving_set_trtllm_blackwell.cpp); the RTX rows with pipeline
// parallelism are listed as not expressible. VALIDATION only.
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "app/trtllm_bench_replay.h"

namespace llmsim::app {

void trtllm_perf_overview_sets(const std::string& dir, std::vector<SetResult>& sets) {
  // Llama-3.3-70B has Llama-3.1-70B's shape. gpt-oss-20b's Hopper rows (labelled FP8 in the
  // table) ran its MXFP4 experts with bf16 attention and the KV cache in "auto" = bf16 on
  // Hopper (the file's header); the preset prices the experts at MXFP4's bytes (W4A16).
  static constexpr PerfOverviewTable kTables[] = {
      {"trtllm-perfoverview-1.2_llama-3.3-70b_multi-gpu.csv",
       "TensorRT-LLM perf overview, Llama-3.3-70B FP8, H100/H200 TP2: offline, all at t=0", "llama-3.1-70b",
       core::DType::fp8, core::DType::fp8, true},
      {"trtllm-perfoverview-1.2_gpt-oss-20b_multi-gpu.csv",
       "TensorRT-LLM perf overview, gpt-oss-20b MXFP4, H100/H200 TP1: offline, all at t=0", "gpt-oss-20b",
       core::DType::bf16, core::DType::bf16, true}};
  for (const PerfOverviewTable& table : kTables) replay_perf_overview_table(dir, table, sets);
}

}  // namespace llmsim::app
