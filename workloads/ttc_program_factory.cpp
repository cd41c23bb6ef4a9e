#include "workloads/ttc_program_factory.h"

#include <string>

#include "core/input_error.h"
#include "workloads/invariant.h"
#include "workloads/ttc_beam_search.h"
#include "workloads/ttc_best_of_n.h"

namespace llmsim::workloads {
namespace {

void require_at_least(std::int64_t value, std::int64_t least, const char* key) {
  if (value >= least) return;
  throw core::InputError("", 0, std::string("workload.") + key,
                         "expected an integer >= " + std::to_string(least) + ", got " + std::to_string(value));
}

void require_length(const LengthDistribution& length, const char* key) {
  if (length.min_tokens >= 1 && length.min_tokens <= length.max_tokens) return;
  throw core::InputError("", 0, std::string("workload.") + key,
                         "expected 1 <= min <= max, got min " + std::to_string(length.min_tokens) +
                             " and max " + std::to_string(length.max_tokens));
}

}  // namespace

bool ttc_uses_prm(WorkloadKind kind, const TtcSpec& spec) {
  return kind != WorkloadKind::self_consistency && spec.scorer == core::ScorerKind::prm;
}

void validate_ttc_spec(WorkloadKind kind, const TtcSpec& spec) {
  check_invariant(is_test_time_compute(kind), "validate_ttc_spec: a test-time-compute kind");
  require_at_least(spec.max_steps, 1, "max_steps");
  require_at_least(spec.max_context_budget_tokens, 2, "max_context_budget");
  require_at_least(spec.beam_size, 1, "beam_size");
  require_at_least(spec.candidates_per_beam, 1, "candidates_per_beam");
  require_at_least(spec.num_samples, 1, "num_samples");
  require_at_least(spec.prm_max_tokens, 1, "prm_max_tokens");
  require_length(spec.question_tokens, "question_tokens");
  require_length(spec.step_tokens, "step_tokens");
  if (spec.steps) require_length(*spec.steps, "steps");
}

std::unique_ptr<TtcProgram> make_ttc_program(WorkloadKind kind, const TtcSpec& spec, TtcProgramContext context) {
  context.prm_scoring = ttc_uses_prm(kind, spec);
  switch (kind) {
    case WorkloadKind::beam_search:
      return std::make_unique<TtcBeamSearch>(spec, context, spec.beam_size);
    case WorkloadKind::online_best_of_n:
      return std::make_unique<TtcBeamSearch>(spec, context, 1);
    case WorkloadKind::best_of_n:
    case WorkloadKind::self_consistency:
      return std::make_unique<TtcBestOfN>(spec, context);
    case WorkloadKind::synthetic:
    case WorkloadKind::trace:
    case WorkloadKind::sessions:
      break;
  }
  check_invariant(false, "make_ttc_program: not a test-time-compute kind");
  return nullptr;
}

}  // namespace llmsim::workloads
