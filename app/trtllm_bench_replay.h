// Replaying one row of TensorRT-LLM's perf-overview tables (trtllm-bench offline throughput)
// as a llmsim scenario. Shared by the Hopper set (app/serving_set_trtllm_perf_overview.cpp)
// and the Blackwell set (app/serving_set_trtllm_blackwell.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/serving_sets.h"
#include "core/dtype.h"
#include "sim/scenario.h"

namespace llmsim::app {

/// Requests trtllm-bench sends for one ISL/OSL pair, as the perf-overview page's request-count
/// table gives them: 1500 at 8192 in or out, 1000 at 32768 in or out, else 3000 (1024/1024 as
/// published; 1000/1000 is not in that table and is assumed the same, which the file says).
std::int64_t trtllm_bench_requests(std::int64_t isl, std::int64_t osl);

/// Output tokens per second per GPU of `pool` under trtllm-bench's offline protocol: every
/// request queued at t = 0 with exactly `isl` input and `osl` output tokens. `pool` must hold
/// model, hardware, precision and tensor_parallel; the trtllm engine preset's defaults for that
/// hardware and model are applied here (trtllm-bench's own max batch size and token budget are
/// not published). The model's context is widened to isl + osl where shorter (the benchmark
/// ran those lengths), and a prompt at least as long as the token budget is chunked (INFERRED:
/// trtllm-bench sizes or chunks for such inputs by a heuristic it does not publish).
double trtllm_bench_output_per_gpu(sim::PoolSpec pool, std::int64_t isl, std::int64_t osl);

/// One model's perf-overview table, the rows a set takes from it (the Hopper FP8 rows on
/// H100/H200, or the Blackwell FP4 rows on B200/GB200/RTX PRO 6000) and the formats they ran in.
struct PerfOverviewTable {
  const char* file;
  const char* title;
  const char* preset;  ///< the model preset its rows are priced with
  core::DType weights;
  core::DType kv_cache;
  bool hopper = false;  ///< take the H100/H200 FP8 rows instead of the Blackwell FP4 ones
};

/// Replays every row of `table` (under `dir`) that it takes with plain tensor parallelism
/// ("TPn", or "TPn,PP1") through trtllm_bench_output_per_gpu, appends the set, and prints the
/// rows of its GPUs and precision that are not expressible yet (DEPn, PP > 1).
void replay_perf_overview_table(const std::string& dir, const PerfOverviewTable& table, std::vector<SetResult>& sets);

}  // namespace llmsim::app
