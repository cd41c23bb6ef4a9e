// WorkloadSpec: what requests a scenario sends, as plain data (filled by the loader).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/compute_tracker.h"
#include "core/param_basis.h"
#include "core/prm_truncation.h"
#include "workloads/trace_row.h"

namespace llmsim::workloads {

/// Token-length distributions. Samples are rounded to the nearest integer and clipped to
/// [min_tokens, max_tokens].
struct FixedLength { double value = 0; };
struct UniformLength { double low = 0, high = 0; };          ///< inclusive integer range
struct NormalLength { double mean = 0, stddev = 0; };
struct LognormalLength { double median = 0, sigma = 0; };    ///< exp(N(ln median, sigma^2))
struct EmpiricalLength { std::vector<std::int64_t> values; }; ///< uniform draw from these

struct LengthDistribution {
  std::variant<FixedLength, UniformLength, NormalLength, LognormalLength, EmpiricalLength> shape;
  std::int64_t min_tokens = 1;
  std::int64_t max_tokens = std::numeric_limits<std::int64_t>::max();
};

enum class ArrivalProcess { poisson, gamma, constant, all_at_once, closed_loop };

struct ArrivalSpec {
  ArrivalProcess process = ArrivalProcess::poisson;
  double rate_per_s = 1.0;        ///< poisson, gamma, constant: mean requests per second
  double cv = 1.0;                ///< gamma: coefficient of variation of inter-arrival gaps (>1 bursty)
  std::int64_t clients = 1;       ///< closed_loop: concurrent clients, each with one request in flight
  double think_time_s = 0.0;      ///< closed_loop: pause between a completion and the next request
};

enum class TraceFormat { azure_csv, mooncake_jsonl, plain_csv };

/// Replay of a recorded trace. Arrival times are divided by rate_scale (2 = twice as fast).
struct TraceSpec {
  std::string path;
  TraceFormat format = TraceFormat::azure_csv;
  double rate_scale = 1.0;
  std::int64_t max_rows = 0;  ///< 0 = every row
  /// When set: what read_trace(*this) returns, read once by the loader (which checks every
  /// row against the model before anything runs); the request generator then uses these
  /// rows instead of reading `path` again. Null: the generator reads `path`.
  std::shared_ptr<const std::vector<TraceRow>> rows;
};

/// beam_search, online_best_of_n, best_of_n and self_consistency are test-time-compute
/// kinds: every request is a problem that runs a program of dependent calls (TtcSpec).
struct SessionSpec;  // workloads/session_spec.h

/// sessions: multi-turn sessions (workloads/session_spec.h, SessionSpec).
enum class WorkloadKind { synthetic, trace, beam_search, best_of_n, self_consistency, online_best_of_n, sessions };

/// True for the test-time-compute kinds.
inline bool is_test_time_compute(WorkloadKind kind) {
  return kind == WorkloadKind::beam_search || kind == WorkloadKind::best_of_n ||
         kind == WorkloadKind::self_consistency || kind == WorkloadKind::online_best_of_n;
}

/// The test-time-compute part of a workload (workloads/ttc_program.h runs it).
/// A problem is a question followed by reasoning steps; a step is a run of generated tokens
/// ended by the step separator (the compute-cost tracking document's "\n\n"). How many
/// steps a problem (beam search, online best-of-N) or an answer (best-of-N,
/// self-consistency) takes is drawn from `steps` when set (easy problems stop early, hard
/// ones run long); otherwise it runs until max_steps or the context budget.
struct TtcSpec {
  /// Prompt (question) length of each problem, tokens.
  LengthDistribution question_tokens{FixedLength{500}};
  /// One step, tokens. Default: the compute-cost document's thinking-mode steps
  /// (min_step_tokens 50, max_step_tokens 1024, mean about 300): a lognormal of median 250
  /// and sigma 0.6 has mean 250 x exp(0.6^2 / 2) = 299.
  LengthDistribution step_tokens{LognormalLength{250.0, 0.6}, 50, 1024};
  /// Steps per problem or per answer; unset: until max_steps or the context budget.
  std::optional<LengthDistribution> steps;
  std::int64_t max_steps = 250;
  /// A trajectory stops when question + steps reach this many tokens; the step that gets
  /// there is cut short so that it never goes beyond.
  std::int64_t max_context_budget_tokens = 32768;

  std::int64_t beam_size = 3;            ///< beam_search (online_best_of_n: 1)
  std::int64_t candidates_per_beam = 5;  ///< beam_search; online_best_of_n: candidates per step
  std::int64_t num_samples = 8;          ///< best_of_n, self_consistency: N

  /// How candidates are scored (self_consistency never scores). Only prm adds calls.
  core::ScorerKind scorer = core::ScorerKind::prm;
  /// PRM prompts are tail-truncated to this many tokens by dropping whole early steps.
  std::int64_t prm_max_tokens = core::kDefaultPrmMaxTokens;

  /// Indices into the scenario's pools of the pools serving generator and PRM calls (equal:
  /// one pool, one model, serves both).
  std::int32_t generator_pool = 0;
  std::int32_t prm_pool = 0;

  /// N of the theoretical accounting, 2 x N x tokens: nominal unless `--params` says otherwise.
  core::ParamBasis params = core::ParamBasis::nominal;

  /// The problem (arrival order, from 0) whose call DAG is kept for --dump-dag.
  std::int64_t dag_problem = 0;
};

struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::synthetic;
  std::int64_t num_requests = 1000;  ///< synthetic and closed-loop: how many requests in all
  ArrivalSpec arrival;
  LengthDistribution input_tokens{FixedLength{1000}};
  LengthDistribution output_tokens{FixedLength{256}};
  /// synthetic: every prompt begins with the same this-many tokens (a shared system prompt).
  std::int64_t shared_prefix_tokens = 0;
  std::optional<TraceSpec> trace;  ///< set when kind == trace
  /// Set when is_test_time_compute(kind): num_requests is then the number of problems and
  /// `arrival` their arrival process; input_tokens / output_tokens are not used.
  std::optional<TtcSpec> ttc;
  /// Set when kind == sessions (SessionSpec, workloads/session_spec.h).
  std::shared_ptr<const SessionSpec> sessions;
};

}  // namespace llmsim::workloads
