// TtcResult: what a test-time-compute run produced, per problem and per pool, for the
// summary's compute/* keys and test_time_compute section and for samples.csv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/compute_tracker.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

enum class TtcProblemStatus {
  completed,   ///< the answer was chosen
  failed,      ///< one of its calls was rejected (it can never run on its pool)
  unfinished,  ///< the run stopped first (a limit)
};

std::string_view to_string(TtcProblemStatus status);

/// One problem ("sample" in the compute-cost document), one row of samples.csv.
struct TtcProblemRow {
  std::int64_t problem = 0;  ///< arrival order, from 0
  TtcProblemStatus status = TtcProblemStatus::unfinished;
  workloads::TimeNs arrival_ns = 0;
  workloads::TimeNs done_ns = -1;  ///< when its answer was chosen (or it failed); -1: not yet
  std::int64_t steps = 0;
  std::int64_t generator_calls = 0;
  std::int64_t prm_calls = 0;
  core::SampleCompute compute;   ///< theoretical (calls issued)
  std::int64_t executed_generator_tokens = 0;  ///< prompt tokens computed (after cache hits, with recomputation) + output tokens
  std::int64_t executed_prm_tokens = 0;        ///< PRM prompt tokens computed
  double executed_tflops = 0.0;                ///< 2 x N x executed tokens, per role
  std::vector<double> gpu_seconds_by_pool;     ///< its calls' share of each pool's busy GPU time
};

/// One pool's use over the run.
struct TtcPoolUsage {
  std::string name;
  std::string model;
  bool serves_generator = false;
  bool serves_prm = false;
  int gpus_per_replica = 1;
  int replicas = 1;
  std::string colocated_with;          ///< PoolSpec::colocated_with: empty, or the pool whose GPUs it shares
  double busy_gpu_seconds = 0.0;       ///< sum over iterations of time x tensor_parallel
  std::int64_t prefill_tokens = 0;     ///< prompt tokens computed (recomputation included)
  std::int64_t decode_tokens = 0;
  double step_model_flops = 0.0;       ///< the step-time model's FLOPs (precise method)
  std::int64_t prompt_tokens = 0;      ///< of requests admitted, at first admission
  std::int64_t cached_tokens = 0;      ///< of those, served by the prefix cache
};

struct TtcResult {
  std::string kind;        ///< beam_search | online_best_of_n | best_of_n | self_consistency
  std::string scorer;      ///< prm | entropy | perplexity | sequence_prob | majority_vote
  bool uses_prm = false;
  std::string param_basis; ///< N of the theoretical FLOPs
  double generator_params = 0.0;
  double prm_params = 0.0;
  std::vector<TtcProblemRow> problems;  ///< every problem that arrived, in arrival order
  std::vector<TtcPoolUsage> pools;      ///< Scenario.pools order
  double generator_gpu_seconds = 0.0;   ///< of generator calls, over all pools
  double prm_gpu_seconds = 0.0;         ///< of PRM calls
  std::int64_t dag_problem = 0;
  std::string dag_graphviz;             ///< the DAG of problem dag_problem; empty if it never arrived
};

}  // namespace llmsim::sim
