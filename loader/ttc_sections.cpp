#include "loader/ttc_sections.h"

#include <algorithm>
#include <array>

#include "core/param_basis.h"
#include "loader/range_checks.h"
#include "loader/scenario_sections.h"
#include "workloads/distributions.h"
#include "workloads/ttc_program_factory.h"

namespace llmsim::loader {
namespace {

using workloads::WorkloadKind;

struct KindName {
  const char* name;
  WorkloadKind kind;
};
constexpr std::array<KindName, 4> kTtcKinds{{{"beam_search", WorkloadKind::beam_search},
                                             {"online_best_of_n", WorkloadKind::online_best_of_n},
                                             {"best_of_n", WorkloadKind::best_of_n},
                                             {"self_consistency", WorkloadKind::self_consistency}}};

/// Keys that only some kinds use, and the kinds that use them.
struct KindKey {
  const char* key;
  std::array<bool, 4> used_by;  ///< in kTtcKinds order
};
constexpr std::array<KindKey, 6> kKindKeys{{
    {"beam_size", {true, false, false, false}},
    {"candidates_per_beam", {true, false, false, false}},
    {"candidates_per_step", {false, true, false, false}},
    {"num_samples", {false, false, true, true}},
    {"scorer", {true, true, true, false}},
    {"prm_max_tokens", {true, true, true, false}},
}};

std::int64_t positive_int(YamlMap& map, const std::string& key, std::int64_t fallback) {
  return map.require_positive(key, map.optional_int(key, fallback));
}

/// The index of the pool named by `key`, or the only pool when the key is absent.
std::int32_t pool_index(YamlMap& map, const std::string& key, const std::vector<sim::PoolSpec>& pools) {
  if (!map.has(key)) {
    if (pools.size() == 1) return 0;
    map.fail_here("missing required key \"" + key + "\" (the scenario has " + std::to_string(pools.size()) +
                  " pools; name the one that serves these calls)");
  }
  const std::string name = map.required_string(key);
  std::string names;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    if (pools[p].name == name) return static_cast<std::int32_t>(p);
    names += (names.empty() ? "" : ", ") + pools[p].name;
  }
  map.fail(key, "no pool named \"" + name + "\" (pools: " + names + ")");
}

/// Sizes a run must be able to hold (issue 22): the trajectories of one problem at a time,
/// beam_size x candidates_per_beam (beam search, online best-of-N) or num_samples, at most
/// kMaxTrajectoriesPerProblem (far beyond the compute-cost document's beam 5 x 8 and its
/// N of 256; each is a sequence with its own KV blocks and records, allocated as the
/// problem runs), and a question shorter than the context budget (a question that fills it
/// leaves no room for a single step).
constexpr std::int64_t kMaxTrajectoriesPerProblem = std::int64_t{1} << 16;

void check_ttc_sizes(YamlMap& map, WorkloadKind kind, const workloads::TtcSpec& ttc) {
  const bool beams = kind == WorkloadKind::beam_search || kind == WorkloadKind::online_best_of_n;
  if (beams) {
    const bool too_many = ttc.beam_size > kMaxTrajectoriesPerProblem / ttc.candidates_per_beam;
    if (too_many) {
      const char* key = kind == WorkloadKind::online_best_of_n ? "candidates_per_step"
                        : map.has("beam_size")                  ? "beam_size"
                                                                 : "candidates_per_beam";
      map.fail(key, "beam_size (" + std::to_string(ttc.beam_size) + ") x candidates (" +
                        std::to_string(ttc.candidates_per_beam) + ") exceeds " +
                        std::to_string(kMaxTrajectoriesPerProblem) + " trajectories per problem");
    }
  } else if (ttc.num_samples > kMaxTrajectoriesPerProblem) {
    map.fail("num_samples", "expected at most " + std::to_string(kMaxTrajectoriesPerProblem) +
                                " samples per problem, got " + std::to_string(ttc.num_samples));
  }
  const std::int64_t question = workloads::shortest_length(ttc.question_tokens);
  if (question >= ttc.max_context_budget_tokens) {
    map.fail(map.has("question_tokens") ? "question_tokens" : "max_context_budget",
             "every question holds at least " + std::to_string(question) +
                 " tokens, filling the max_context_budget (" + std::to_string(ttc.max_context_budget_tokens) +
                 "): no step could follow");
  }
}

}  // namespace

bool is_ttc_kind_name(std::string_view kind) {
  return std::any_of(kTtcKinds.begin(), kTtcKinds.end(), [kind](const KindName& k) { return kind == k.name; });
}

workloads::WorkloadSpec read_ttc_workload(YamlMap& map, const std::string& base_dir,
                                          const std::vector<sim::PoolSpec>& pools) {
  workloads::WorkloadSpec workload;
  const std::string kind_text = map.required_string("kind");
  std::size_t kind_index = 0;
  while (kind_index < kTtcKinds.size() && kind_text != kTtcKinds[kind_index].name) ++kind_index;
  if (kind_index == kTtcKinds.size()) map.fail("kind", "not a test-time-compute kind: \"" + kind_text + "\"");
  workload.kind = kTtcKinds[kind_index].kind;
  for (const KindKey& key : kKindKeys) {
    if (map.has(key.key) && !key.used_by[kind_index]) {
      map.fail(key.key, std::string("does not apply to kind ") + kind_text);
    }
  }

  workloads::TtcSpec ttc;
  workload.num_requests = map.require_positive("num_problems", map.required_int("num_problems"));
  YamlMap arrival = map.required_map("arrival");
  workload.arrival = read_arrival(arrival);
  check_arrival_span(arrival, workload.arrival, workload.num_requests);
  if (auto question = map.optional_map("question_tokens")) ttc.question_tokens = read_length(*question, base_dir);
  if (auto step = map.optional_map("step_tokens")) ttc.step_tokens = read_length(*step, base_dir);
  if (auto steps = map.optional_map("steps")) ttc.steps = read_length(*steps, base_dir);
  ttc.max_steps = positive_int(map, "max_steps", ttc.max_steps);
  ttc.max_context_budget_tokens = positive_int(map, "max_context_budget", ttc.max_context_budget_tokens);
  if (ttc.max_context_budget_tokens < 2) map.fail("max_context_budget", "expected an integer >= 2");

  switch (workload.kind) {
    case WorkloadKind::beam_search:
      ttc.beam_size = positive_int(map, "beam_size", ttc.beam_size);
      ttc.candidates_per_beam = positive_int(map, "candidates_per_beam", ttc.candidates_per_beam);
      break;
    case WorkloadKind::online_best_of_n:
      ttc.beam_size = 1;
      ttc.candidates_per_beam = positive_int(map, "candidates_per_step", ttc.candidates_per_beam);
      break;
    default:
      ttc.num_samples = positive_int(map, "num_samples", ttc.num_samples);
      break;
  }
  if (map.has("scorer")) {
    static constexpr std::pair<const char*, core::ScorerKind> kScorers[] = {
        {"prm", core::ScorerKind::prm},
        {"entropy", core::ScorerKind::entropy},
        {"perplexity", core::ScorerKind::perplexity},
        {"sequence_prob", core::ScorerKind::sequence_prob}};
    const std::string text = map.required_string("scorer");
    const auto* found = std::find_if(std::begin(kScorers), std::end(kScorers),
                                     [&text](const auto& choice) { return text == choice.first; });
    if (found == std::end(kScorers)) {
      map.fail("scorer", "expected one of prm, entropy, perplexity, sequence_prob, got \"" + text + "\"");
    }
    ttc.scorer = found->second;
  }
  ttc.prm_max_tokens = positive_int(map, "prm_max_tokens", ttc.prm_max_tokens);
  if (map.has("params")) {
    const std::string text = map.required_string("params");
    const auto basis = core::parse_param_basis(text);
    if (!basis) map.fail("params", "expected one of nominal, non_embedding, total, active, got \"" + text + "\"");
    ttc.params = *basis;
  }

  ttc.generator_pool = pool_index(map, "generator_pool", pools);
  const sim::PoolSpec& generator = pools[static_cast<std::size_t>(ttc.generator_pool)];
  if (generator.model.head == core::HeadKind::reward) {
    map.fail(map.has("generator_pool") ? "generator_pool" : "kind",
             "the generator pool's model " + generator.model.id + " is a reward model; it cannot generate");
  }
  const bool prm = workloads::ttc_uses_prm(workload.kind, ttc);
  if (prm) {
    ttc.prm_pool = pool_index(map, "prm_pool", pools);
  } else if (map.has("prm_pool")) {
    map.fail("prm_pool", "no PRM scores this workload (scorer " +
                             std::string(workload.kind == WorkloadKind::self_consistency ? "majority vote" : "is free") +
                             ")");
  }
  const bool budget_given = map.has("max_context_budget");
  const bool cap_given = map.has("prm_max_tokens");
  map.finish();
  const bool beams = workload.kind == WorkloadKind::beam_search || workload.kind == WorkloadKind::online_best_of_n;
  const std::int64_t per_call = beams ? ttc.candidates_per_beam : ttc.num_samples;
  if (per_call > generator.engine.max_num_seqs) {
    const char* key = workload.kind == WorkloadKind::beam_search        ? "candidates_per_beam"
                      : workload.kind == WorkloadKind::online_best_of_n ? "candidates_per_step"
                                                                        : "num_samples";
    map.fail(map.has(key) ? key : "kind",
             "the " + std::to_string(per_call) + " samples of a call run together and exceed the generator pool's "
             "engine.max_num_seqs (" + std::to_string(generator.engine.max_num_seqs) + ")");
  }
  if (prm) {
    const core::ModelSpec& scorer = pools[static_cast<std::size_t>(ttc.prm_pool)].model;
    if (scorer.max_position_embeddings > 0 && ttc.prm_max_tokens + 1 > scorer.max_position_embeddings) {
      map.fail(cap_given ? "prm_max_tokens" : "kind",
               "a PRM prompt of prm_max_tokens (" + std::to_string(ttc.prm_max_tokens) +
                   ") plus its score position exceeds " + scorer.id + "'s max_position_embeddings (" +
                   std::to_string(scorer.max_position_embeddings) + ")");
    }
  }
  const std::int64_t context = generator.model.max_position_embeddings;
  if (context > 0 && ttc.max_context_budget_tokens > context) {
    const std::string message = "exceeds the generator " + generator.model.id + "'s max_position_embeddings (" +
                                std::to_string(context) + ")";
    if (budget_given) map.fail("max_context_budget", message);
    map.fail("kind", "the default max_context_budget (" + std::to_string(ttc.max_context_budget_tokens) + ") " +
                         message + "; set max_context_budget");
  }
  check_ttc_sizes(map, workload.kind, ttc);
  workload.ttc = ttc;
  workloads::validate_ttc_spec(workload.kind, ttc);
  return workload;
}

}  // namespace llmsim::loader
