// generate_sessions: synthetic multi-turn sessions (SyntheticSessionSpec).
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/session_spec.h"

namespace llmsim::workloads {

/// num_sessions sessions. Session starts come from RngStream(seed, "sessions/arrivals")
/// under spec.arrival (an open-loop process); session i draws, from RngStream(seed,
/// "sessions/<i>") in this order, its turn count, then for each turn its new input tokens
/// (first_input_tokens for turn 1, input_tokens after) and output tokens, and for each turn
/// after the first its wait (wait_ms). With shared_prefix_tokens > 0 every turn 1 carries
/// one hash id covering that many tokens, the same in every session.
/// Preconditions (the loader checks them): num_sessions >= 1, an open-loop arrival
/// process, turns >= 1, shared_prefix_tokens <= the shortest first input.
std::vector<Session> generate_sessions(const SyntheticSessionSpec& spec, std::uint64_t seed);

/// The hash id of the synthetic shared system prompt.
std::uint64_t synthetic_system_prompt_hash();

}  // namespace llmsim::workloads
