#include "app/validation_sim.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/input_error.h"
#include "sim/scenario.h"
#include "sim/cluster/simulator.h"

namespace llmsim::app {

SimPrediction predict_with_simulator(const ReferenceRow& row, const core::ModelSpec& model,
                                     const hw::HardwareSpec& hardware,
                                     const hw::Precision& precision, const hw::HostTime& host) {
  const std::int64_t batch = row.metric == ReferenceMetric::ttft_s ? 1 : row.batch;
  const std::int64_t osl = row.metric == ReferenceMetric::ttft_s ? 1 : row.osl;
  sim::Scenario scenario;
  scenario.seed = 1;
  sim::PoolSpec pool;
  pool.model = model;
  pool.hardware = hardware;
  pool.precision = precision;
  pool.tensor_parallel = row.tensor_parallel;
  pool.engine.host = host;
  pool.engine.max_num_seqs = batch;
  // The whole batch's prompts in one iteration, as a static-batch engine prefills them.
  pool.engine.max_num_batched_tokens = std::max<std::int64_t>(batch * row.isl, 1);
  pool.engine.chunked_prefill = false;
  pool.engine.prefix_caching = false;
  scenario.pools.push_back(pool);
  scenario.workload.kind = workloads::WorkloadKind::synthetic;
  scenario.workload.num_requests = batch;
  scenario.workload.arrival.process = workloads::ArrivalProcess::all_at_once;
  scenario.workload.input_tokens =
      workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(row.isl)}};
  scenario.workload.output_tokens =
      workloads::LengthDistribution{workloads::FixedLength{static_cast<double>(osl)}};

  sim::Simulator simulator(scenario);
  const sim::RunResult result = simulator.run();
  const auto& s = result.summary;
  SimPrediction prediction;
  if (s.at("completed").get<std::int64_t>() != batch) {
    throw core::InputError(fmt::format("only {} of {} requests completed",
                                       s.at("completed").get<std::int64_t>(), batch));
  }
  const double kv_tokens = static_cast<double>(simulator.kv_blocks_per_replica().at(0)) *
                           static_cast<double>(pool.engine.block_size);
  if (kv_tokens < static_cast<double>(batch * (row.isl + osl))) {
    prediction.note = fmt::format("KV cache holds {:.0f} tokens < batch x (isl + osl)", kv_tokens);
  }
  switch (row.metric) {
    case ReferenceMetric::output_tokens_per_s_per_gpu:
      prediction.value = s.at("output_throughput").get<double>() / row.tensor_parallel;
      break;
    case ReferenceMetric::ttft_s:
      prediction.value = s.at("median_ttft_ms").get<double>() * 1e-3;
      break;
    case ReferenceMetric::decode_step_p50_s:
      prediction.value = s.at("median_itl_ms").get<double>() * 1e-3;
      break;
  }
  return prediction;
}

}  // namespace llmsim::app
