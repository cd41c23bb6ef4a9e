// Agentic / multi-turn sessions: sessions of turns whose prompts grow turn by turn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workloads/workload_spec.h"

namespace llmsim::workloads {

/// One turn of a session. Its prompt is the session's whole context so far (every earlier
/// turn's new input and output) followed by new_input_tokens; it generates output_tokens.
struct SessionTurn {
  std::int64_t new_input_tokens = 0;  ///< > 0
  std::int64_t output_tokens = 0;     ///< > 0
  /// Turn 1: seconds from the start of the run to its arrival (arrival_s). Later turns: the
  /// wait (a tool call, the user thinking) from the previous turn's completion to this
  /// turn's arrival, >= 0.
  double at_s = 0.0;
  /// Optional content ids of the turn's new input, one per 512 tokens (Mooncake's hash_ids
  /// convention; the last block may be partial), covering its first min(512 x size,
  /// new_input_tokens) tokens: equal ids at equal positions (a system prompt every session
  /// starts with) are shared across sessions. The rest of the new input is the session's own.
  std::vector<std::uint64_t> hash_ids;
  /// Tokens each hash id covers: 512 for traces (kSessionHashBlockTokens); a synthetic
  /// shared system prompt is one id covering all of it.
  std::int64_t hash_block_tokens = 512;
};

struct Session {
  std::string id;            ///< the trace's session_id, or "s<index>" for synthetic sessions
  std::vector<SessionTurn> turns;  ///< at least one, in turn order
};

/// Tokens of a hash_ids block (Mooncake's block size).
inline constexpr std::int64_t kSessionHashBlockTokens = 512;

/// Synthetic sessions (workload.sessions without a trace). Turn 1 arrives by `arrival`
/// (session starts); each session draws its turn count, then per turn its new input and
/// output tokens, and per later turn its wait.
struct SyntheticSessionSpec {
  std::int64_t num_sessions = 100;
  ArrivalSpec arrival;                                        ///< open-loop processes only
  LengthDistribution turns{FixedLength{4}};                   ///< turns per session, >= 1
  LengthDistribution first_input_tokens{FixedLength{1000}};   ///< turn 1's new input
  LengthDistribution input_tokens{FixedLength{200}};          ///< a later turn's new input
  LengthDistribution output_tokens{FixedLength{256}};
  /// Wait before a later turn, in milliseconds (a length distribution read as ms; its
  /// min_tokens, >= 1, is the shortest wait).
  LengthDistribution wait_ms{FixedLength{1000}};
  /// > 0: every session's first turn starts with the same this-many tokens (a shared system
  /// prompt), identified in 512-token hash blocks; at most first_input_tokens' minimum.
  std::int64_t shared_prefix_tokens = 0;
};

/// workload.kind sessions: either a session trace (JSONL, read by the loader) or synthetic.
struct SessionSpec {
  /// Trace: the file (for messages) and its sessions, in the order their first turns
  /// appear; empty path: synthetic.
  std::string trace_path;
  std::shared_ptr<const std::vector<Session>> trace_sessions;
  SyntheticSessionSpec synthetic;
};

}  // namespace llmsim::workloads
