// read_session_jsonl: the session trace format (docs/session-traces.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/session_spec.h"

namespace llmsim::workloads {

/// Reads a session trace: one JSON object per line, one turn per object.
///   {"session_id": "a", "turn": 1, "arrival_s": 0.0, "input_tokens": 1200, "output_tokens": 150,
///    "hash_ids": [7, 8]}
///   {"session_id": "a", "turn": 2, "wait_s": 4.5, "input_tokens": 80, "output_tokens": 300}
/// session_id: a string or a non-negative integer; turn: 1, 2, 3, ... in file order within
/// each session (turns of different sessions may interleave); turn 1 gives arrival_s (>= 0,
/// seconds from the start of the run), every later turn wait_s (>= 0, seconds from the
/// previous turn's completion) and not the other; input_tokens: the turn's NEW input (its
/// prompt is the whole context so far plus these); output_tokens > 0; hash_ids optional
/// (SessionTurn::hash_ids), at most ceil(input_tokens / 512) non-negative integers. Blank
/// lines are skipped; any other key is an error. Sessions are returned in the order of
/// their first turns in the file; max_sessions > 0 keeps the first that many.
/// Throws core::InputError(path, line, key, message) on the first bad line.
std::vector<Session> read_session_jsonl(const std::string& path, std::int64_t max_sessions);

}  // namespace llmsim::workloads
