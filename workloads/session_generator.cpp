#include "workloads/session_generator.h"

#include <string>
#include <string_view>

#include "workloads/arrival_generator.h"
#include "workloads/distributions.h"
#include "workloads/invariant.h"
#include "workloads/rng_stream.h"

namespace llmsim::workloads {

namespace {

/// prefix followed by i in decimal ("s" + std::to_string(i) trips GCC 12's -Wrestrict at -O3).
std::string numbered(std::string_view prefix, std::int64_t i) {
  std::string text(prefix);
  text += std::to_string(i);
  return text;
}

}  // namespace

std::uint64_t synthetic_system_prompt_hash() { return mix64(fnv1a64("llmsim/session-system-prompt")); }

std::vector<Session> generate_sessions(const SyntheticSessionSpec& spec, std::uint64_t seed) {
  check_invariant(spec.num_sessions >= 1, "generate_sessions: at least one session");
  ArrivalGenerator arrivals(spec.arrival, RngStream(seed, "sessions/arrivals"));
  const LengthSampler turns(spec.turns);
  const LengthSampler first_input(spec.first_input_tokens);
  const LengthSampler input(spec.input_tokens);
  const LengthSampler output(spec.output_tokens);
  const LengthSampler wait_ms(spec.wait_ms);
  std::vector<Session> sessions;
  sessions.reserve(static_cast<std::size_t>(spec.num_sessions));
  for (std::int64_t i = 0; i < spec.num_sessions; ++i) {
    RngStream rng(seed, numbered("sessions/", i));
    Session session;
    session.id = numbered("s", i);
    const std::int64_t count = turns.sample(rng);
    check_invariant(count >= 1, "generate_sessions: a session has at least one turn");
    const double start_s = static_cast<double>(arrivals.next()) / 1e9;
    for (std::int64_t k = 0; k < count; ++k) {
      SessionTurn turn;
      turn.new_input_tokens = k == 0 ? first_input.sample(rng) : input.sample(rng);
      turn.output_tokens = output.sample(rng);
      turn.at_s = k == 0 ? start_s : static_cast<double>(wait_ms.sample(rng)) / 1000.0;
      if (k == 0 && spec.shared_prefix_tokens > 0) {
        check_invariant(spec.shared_prefix_tokens <= turn.new_input_tokens,
                        "generate_sessions: the shared prefix fits the first input");
        turn.hash_ids = {synthetic_system_prompt_hash()};
        turn.hash_block_tokens = spec.shared_prefix_tokens;
      }
      session.turns.push_back(std::move(turn));
    }
    sessions.push_back(std::move(session));
  }
  return sessions;
}

}  // namespace llmsim::workloads
