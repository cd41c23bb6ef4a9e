// Replaying one row of TensorRT-LLM's perf-overview tables (trtllm-bench offline throughput)
// as a llmsim scenario. Shared by the Hopper set (app/serving_set_trtllm_perf_overview.cpp)
// and the Blackwell set (app/serving_set_trtllm_blackwell.cpp).
#pragma once

#include <cstdint>

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

}  // namespace llmsim::app
