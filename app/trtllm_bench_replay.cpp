#include "app/trtllm_bench_replay.h"

#include <algorithm>

#include "app/serving_sets.h"
#include "loader/engine_loader.h"

namespace llmsim::app {

std::int64_t trtllm_bench_requests(std::int64_t isl, std::int64_t osl) {
  if (isl == 8192 || osl == 8192) return 1500;
  if (isl == 32768 || osl == 32768) return 1000;
  return 3000;
}

double trtllm_bench_output_per_gpu(sim::PoolSpec pool, std::int64_t isl, std::int64_t osl) {
  pool.engine = loader::load_engine("trtllm").defaults_for(pool.hardware, pool.model);
  pool.model.max_position_embeddings = std::max<std::int64_t>(pool.model.max_position_embeddings, isl + osl);
  if (isl >= pool.engine.max_num_batched_tokens) pool.engine.chunked_prefill = true;
  workloads::WorkloadSpec workload;
  workload.kind = workloads::WorkloadKind::synthetic;
  workload.num_requests = trtllm_bench_requests(isl, osl);
  workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  workload.input_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(isl)}};
  workload.output_tokens = workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(osl)}};
  const nlohmann::json summary = run_serving_scenario(pool, workload);
  return summary.at("output_throughput").get<double>() / pool.tensor_parallel;
}

}  // namespace llmsim::app
