#include "sim/cluster/program_request_source.h"

#include <cmath>
#include <string>
#include <utility>

#include "core/input_error.h"
#include "core/param_basis.h"
#include "sim/check.h"
#include "workloads/rng_stream.h"
#include "workloads/ttc_program_factory.h"
#include "workloads/workload_validation.h"

namespace llmsim::sim {
namespace {

using workloads::TimeNs;
using workloads::TtcRole;
using workloads::WorkloadKind;

std::string kind_name(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::beam_search:
      return "beam_search";
    case WorkloadKind::online_best_of_n:
      return "online_best_of_n";
    case WorkloadKind::best_of_n:
      return "best_of_n";
    case WorkloadKind::self_consistency:
      return "self_consistency";
    case WorkloadKind::synthetic:
    case WorkloadKind::trace:
    case WorkloadKind::sessions:
      break;
  }
  return "?";
}

std::string scorer_name(WorkloadKind kind, core::ScorerKind scorer) {
  if (kind == WorkloadKind::self_consistency) return "majority_vote";
  switch (scorer) {
    case core::ScorerKind::prm:
      return "prm";
    case core::ScorerKind::entropy:
      return "entropy";
    case core::ScorerKind::perplexity:
      return "perplexity";
    case core::ScorerKind::sequence_prob:
      return "sequence_prob";
  }
  return "?";
}

}  // namespace

std::string_view to_string(TtcProblemStatus status) {
  switch (status) {
    case TtcProblemStatus::completed:
      return "completed";
    case TtcProblemStatus::failed:
      return "failed";
    case TtcProblemStatus::unfinished:
      return "unfinished";
  }
  return "?";
}

ProgramRequestSource::ProgramRequestSource(const Scenario& scenario)
    : scenario_(scenario), kind_(scenario.workload.kind) {
  LLMSIM_CHECK(workloads::is_test_time_compute(kind_), "ProgramRequestSource serves test-time-compute kinds");
  const std::string& file = scenario_.source_file;
  if (!scenario_.workload.ttc) {
    throw core::InputError(file, 0, "workload", "a test-time-compute workload needs its settings");
  }
  spec_ = *scenario_.workload.ttc;
  workloads::validate_workload_spec(scenario_.workload);
  workloads::validate_ttc_spec(kind_, spec_);
  const auto pools = static_cast<std::int32_t>(scenario_.pools.size());
  const bool prm = workloads::ttc_uses_prm(kind_, spec_);
  if (spec_.generator_pool < 0 || spec_.generator_pool >= pools) {
    throw core::InputError(file, 0, "workload.generator_pool", "no such pool");
  }
  if (prm && (spec_.prm_pool < 0 || spec_.prm_pool >= pools)) {
    throw core::InputError(file, 0, "workload.prm_pool", "no such pool");
  }
  const PoolSpec& generator = scenario_.pools[static_cast<std::size_t>(spec_.generator_pool)];
  context_.seed = scenario_.seed;
  context_.generator_params = core::parameters_for(generator.model, spec_.params);
  const bool beams = kind_ == WorkloadKind::beam_search || kind_ == WorkloadKind::online_best_of_n;
  const std::int64_t per_call = beams ? spec_.candidates_per_beam : spec_.num_samples;
  if (per_call > generator.engine.max_num_seqs) {
    throw core::InputError(file, 0, beams ? "workload.candidates_per_beam" : "workload.num_samples",
                           "a call's " + std::to_string(per_call) +
                               " samples run together and exceed the generator pool's engine.max_num_seqs (" +
                               std::to_string(generator.engine.max_num_seqs) + ")");
  }
  const std::int64_t generator_context = generator.model.max_position_embeddings;
  if (generator_context > 0 && spec_.max_context_budget_tokens > generator_context) {
    throw core::InputError(file, 0, "workload.max_context_budget",
                           "exceeds the generator " + generator.model.id + "'s max_position_embeddings (" +
                               std::to_string(generator_context) + ")");
  }
  if (prm) {
    const PoolSpec& scorer = scenario_.pools[static_cast<std::size_t>(spec_.prm_pool)];
    context_.prm_params = core::parameters_for(scorer.model, spec_.params);
    const std::int64_t prm_context = scorer.model.max_position_embeddings;
    if (prm_context > 0 && spec_.prm_max_tokens + 1 > prm_context) {
      throw core::InputError(file, 0, "workload.prm_max_tokens",
                             "a PRM prompt of that many tokens (plus the score position) exceeds " +
                                 scorer.model.id + "'s max_position_embeddings (" +
                                 std::to_string(prm_context) + ")");
    }
  }
  const workloads::ArrivalSpec& arrival = scenario_.workload.arrival;
  closed_loop_ = arrival.process == workloads::ArrivalProcess::closed_loop;
  if (closed_loop_) {
    think_time_ns_ = std::llround(arrival.think_time_s * 1e9);
    const std::int64_t first = std::min(arrival.clients, scenario_.workload.num_requests);
    closed_loop_starts_.assign(static_cast<std::size_t>(first), TimeNs{0});
  } else {
    arrivals_.emplace(arrival, workloads::RngStream(scenario_.seed, "arrivals"));
  }
}

std::optional<workloads::RequestSpec> ProgramRequestSource::next() {
  if (first_calls_.empty()) {
    if (static_cast<std::int64_t>(problems_.size()) >= scenario_.workload.num_requests) return std::nullopt;
    if (closed_loop_) {
      if (closed_loop_starts_.empty()) return std::nullopt;  // every client is busy
      const TimeNs at = closed_loop_starts_.front();
      closed_loop_starts_.pop_front();
      start_problem(at);
    } else {
      start_problem(arrivals_->next());
    }
  }
  LLMSIM_CHECK(!first_calls_.empty(), "a problem starts with at least one call");
  workloads::RequestSpec request = std::move(first_calls_.front());
  first_calls_.pop_front();
  return request;
}

void ProgramRequestSource::start_problem(TimeNs at) {
  const auto index = static_cast<std::int64_t>(problems_.size());
  context_.problem = index;
  context_.keep_dag = index == spec_.dag_problem;
  Problem problem;
  problem.program = workloads::make_ttc_program(kind_, spec_, context_);
  problem.arrival_ns = at;
  problems_.push_back(std::move(problem));
  scratch_.clear();
  problems_.back().program->start(at, scratch_);
  issue(index, scratch_, at, &first_calls_, nullptr);
}

void ProgramRequestSource::issue(std::int64_t problem, std::vector<workloads::TtcCall>& calls, TimeNs now,
                                 std::deque<workloads::RequestSpec>* queue,
                                 std::vector<workloads::RequestSpec>* out) {
  LLMSIM_CHECK((queue == nullptr) != (out == nullptr), "issued calls go to exactly one destination");
  for (workloads::TtcCall& call : calls) {
    workloads::RequestSpec request;
    request.id = static_cast<std::uint64_t>(calls_.size());
    request.arrival_ns = now;
    request.input_tokens = call.input_tokens;
    request.prefix_hashes = std::move(call.segment_hashes);
    request.prefix_segment_tokens = std::move(call.segment_tokens);
    if (call.role == TtcRole::generator) {
      LLMSIM_CHECK(!call.sample_output_tokens.empty(), "a generator call samples");
      request.pool = spec_.generator_pool;
      request.output_tokens = call.sample_output_tokens.front();
      request.forked_sample_output_tokens.assign(call.sample_output_tokens.begin() + 1,
                                                 call.sample_output_tokens.end());
      request.sample_output_hashes = std::move(call.sample_hashes);
    } else {
      request.pool = spec_.prm_pool;
      request.output_tokens = 1;  // prefill only: the score is read at the end of the prompt
    }
    calls_.push_back(CallRef{problem, call.node, call.role});
    if (queue != nullptr) {
      queue->push_back(std::move(request));
    } else {
      out->push_back(std::move(request));
    }
  }
}

void ProgramRequestSource::on_request_done(std::size_t /*index*/, const RequestRecord& record, TimeNs now,
                                           std::vector<workloads::RequestSpec>& released) {
  LLMSIM_CHECK(record.id < calls_.size(), "a finished request is a call this source issued");
  const CallRef ref = calls_[record.id];
  Problem& problem = problems_[static_cast<std::size_t>(ref.problem)];
  if (problem.status != TtcProblemStatus::unfinished) return;  // a failed problem's leftovers
  if (record.status == RequestStatus::rejected) {
    end_problem(ref.problem, TtcProblemStatus::failed, now);
    return;
  }
  scratch_.clear();
  problem.program->on_call_done(ref.node, now, scratch_);
  issue(ref.problem, scratch_, now, nullptr, &released);
  if (problem.program->finished()) end_problem(ref.problem, TtcProblemStatus::completed, now);
}

void ProgramRequestSource::end_problem(std::int64_t index, TtcProblemStatus status, TimeNs now) {
  Problem& problem = problems_[static_cast<std::size_t>(index)];
  problem.status = status;
  problem.done_ns = now;
  const workloads::TtcProgram& program = *problem.program;
  problem.steps = program.steps();
  problem.generator_calls = program.generator_calls();
  problem.prm_calls = program.prm_calls();
  problem.compute = program.compute();
  if (program.dag() != nullptr) dag_graphviz_ = program.dag()->graphviz("problem " + std::to_string(index));
  problem.program.reset();
  if (!closed_loop_) return;
  const auto queued = static_cast<std::int64_t>(problems_.size() + closed_loop_starts_.size());
  if (queued < scenario_.workload.num_requests) closed_loop_starts_.push_back(now + think_time_ns_);
}

TtcResult ProgramRequestSource::result(const std::vector<RequestRecord>& records,
                                       const TtcUsageRecorder& usage) const {
  TtcResult r;
  r.kind = kind_name(kind_);
  r.scorer = scorer_name(kind_, spec_.scorer);
  r.uses_prm = workloads::ttc_uses_prm(kind_, spec_);
  r.param_basis = std::string(core::to_string(spec_.params));
  r.generator_params = context_.generator_params;
  r.prm_params = context_.prm_params;
  r.dag_problem = spec_.dag_problem;
  r.dag_graphviz = dag_graphviz_;

  for (std::size_t p = 0; p < scenario_.pools.size(); ++p) {
    const PoolSpec& spec = scenario_.pools[p];
    TtcPoolUsage pool;
    pool.name = spec.name;
    pool.model = spec.model.id;
    pool.serves_generator = static_cast<std::int32_t>(p) == spec_.generator_pool;
    pool.serves_prm = r.uses_prm && static_cast<std::int32_t>(p) == spec_.prm_pool;
    pool.gpus_per_replica = spec.gpus_per_replica();
    pool.replicas = spec.replicas;
    pool.colocated_with = spec.colocated_with;
    pool.busy_gpu_seconds = usage.pool_busy_gpu_seconds(p);
    pool.prefill_tokens = usage.pool_prefill_tokens(p);
    pool.decode_tokens = usage.pool_decode_tokens(p);
    pool.step_model_flops = usage.pool_step_model_flops(p);
    r.pools.push_back(std::move(pool));
  }

  r.problems.reserve(problems_.size());
  for (std::size_t i = 0; i < problems_.size(); ++i) {
    const Problem& problem = problems_[i];
    TtcProblemRow row;
    row.problem = static_cast<std::int64_t>(i);
    row.status = problem.status;
    row.arrival_ns = problem.arrival_ns;
    row.done_ns = problem.done_ns;
    if (problem.program) {  // still running when the run stopped
      row.steps = problem.program->steps();
      row.generator_calls = problem.program->generator_calls();
      row.prm_calls = problem.program->prm_calls();
      row.compute = problem.program->compute();
      if (problem.program->dag() != nullptr) {
        r.dag_graphviz = problem.program->dag()->graphviz("problem " + std::to_string(i));
      }
    } else {
      row.steps = problem.steps;
      row.generator_calls = problem.generator_calls;
      row.prm_calls = problem.prm_calls;
      row.compute = problem.compute;
    }
    row.gpu_seconds_by_pool.assign(scenario_.pools.size(), 0.0);
    r.problems.push_back(std::move(row));
  }

  for (std::size_t index = 0; index < records.size(); ++index) {
    const RequestRecord& record = records[index];
    LLMSIM_CHECK(record.id < calls_.size() && record.pool >= 0, "every record is a routed call of this source");
    const CallRef& ref = calls_[record.id];
    TtcProblemRow& row = r.problems[static_cast<std::size_t>(ref.problem)];
    TtcPoolUsage& pool = r.pools[static_cast<std::size_t>(record.pool)];
    const double gpu_seconds = usage.gpu_seconds(index);
    row.gpu_seconds_by_pool[static_cast<std::size_t>(record.pool)] += gpu_seconds;
    if (record.scheduled_ns >= 0) {
      pool.prompt_tokens += record.input_tokens;
      pool.cached_tokens += record.cached_tokens;
    }
    if (ref.role == TtcRole::generator) {
      r.generator_gpu_seconds += gpu_seconds;
      row.executed_generator_tokens += usage.prefill_tokens(index) + record.generated_tokens;
    } else {
      r.prm_gpu_seconds += gpu_seconds;
      row.executed_prm_tokens += usage.prefill_tokens(index);
    }
  }
  for (TtcProblemRow& row : r.problems) {
    row.executed_tflops = 2.0 *
                          (r.generator_params * static_cast<double>(row.executed_generator_tokens) +
                           r.prm_params * static_cast<double>(row.executed_prm_tokens)) /
                          1e12;
  }
  return r;
}

}  // namespace llmsim::sim
