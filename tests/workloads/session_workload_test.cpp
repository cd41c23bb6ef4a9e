// Session traces (workloads/session_trace_reader.h) and synthetic sessions
// (workloads/session_generator.h).
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "temp_file.h"
#include "workloads/session_generator.h"
#include "workloads/session_trace_reader.h"

using namespace llmsim::workloads;
using llmsim::workloads::testing::write_temp_file;

namespace {

/// The InputError's one-line message, or "" when reading succeeds.
std::string error_of(const std::string& name, const std::string& content) {
  const std::string path = write_temp_file(name, content);
  try {
    read_session_jsonl(path, 0);
  } catch (const llmsim::core::InputError& error) {
    const std::string text = error.what();
    return text.substr(text.find(name));
  }
  return "";
}

}  // namespace

TEST_CASE("a session trace: turns in order, interleaved sessions, waits and hash ids") {
  const std::string path = write_temp_file(
      "sessions_ok.jsonl",
      "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0.5, \"input_tokens\": 1000, \"output_tokens\": 20, "
      "\"hash_ids\": [7, 8]}\n"
      "{\"session_id\": 9, \"turn\": 1, \"arrival_s\": 0.0, \"input_tokens\": 30, \"output_tokens\": 5}\n"
      "\n"
      "{\"session_id\": \"a\", \"turn\": 2, \"wait_s\": 4, \"input_tokens\": 80, \"output_tokens\": 300}\n");
  const std::vector<Session> sessions = read_session_jsonl(path, 0);
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].id == "a");
  REQUIRE(sessions[0].turns.size() == 2);
  CHECK(sessions[0].turns[0].at_s == 0.5);
  CHECK(sessions[0].turns[0].hash_ids == std::vector<std::uint64_t>{7, 8});
  CHECK(sessions[0].turns[1].at_s == 4.0);
  CHECK(sessions[0].turns[1].new_input_tokens == 80);
  CHECK(sessions[1].id == "9");
  CHECK(read_session_jsonl(path, 1).size() == 1);
}

TEST_CASE("a session trace with bad turns names the line and key") {
  CHECK(error_of("s_order.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 10, \"output_tokens\": 2}\n"
                 "{\"session_id\": \"a\", \"turn\": 3, \"wait_s\": 1, \"input_tokens\": 10, \"output_tokens\": 2}\n") ==
        "s_order.jsonl:2: turn: expected 2 (session \"a\"'s next turn; turns come in order), got 3");
  CHECK(error_of("s_first.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 2, \"wait_s\": 1, \"input_tokens\": 10, \"output_tokens\": 2}\n") ==
        "s_first.jsonl:1: turn: expected 1 (session \"a\"'s next turn; turns come in order), got 2");
  CHECK(error_of("s_wait.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 10, \"output_tokens\": 2}\n"
                 "{\"session_id\": \"a\", \"turn\": 2, \"wait_s\": -1, \"input_tokens\": 10, \"output_tokens\": 2}\n") ==
        "s_wait.jsonl:2: wait_s: expected a number of seconds >= 0, got -1");
  CHECK(error_of("s_arrival.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 10, \"output_tokens\": 2}\n"
                 "{\"session_id\": \"a\", \"turn\": 2, \"arrival_s\": 3, \"input_tokens\": 10, \"output_tokens\": 2}\n") ==
        "s_arrival.jsonl:2: arrival_s: only turn 1 gives arrival_s; a later turn gives wait_s after the previous one");
  CHECK(error_of("s_zero.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 0, \"output_tokens\": 2}\n") ==
        "s_zero.jsonl:1: input_tokens: expected a positive integer below 2^31, got 0");
  CHECK(error_of("s_key.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 5, \"output_tokens\": 2, "
                 "\"waits\": 1}\n") == "s_key.jsonl:1: waits: unknown key");
  CHECK(error_of("s_hashes.jsonl",
                 "{\"session_id\": \"a\", \"turn\": 1, \"arrival_s\": 0, \"input_tokens\": 600, \"output_tokens\": 2, "
                 "\"hash_ids\": [1, 2, 3]}\n")
            .find("s_hashes.jsonl:1: hash_ids: 3 ids cover more than the turn's 600 new input tokens") == 0);
  CHECK(error_of("s_empty.jsonl", "\n") == "s_empty.jsonl: session trace has no turns");
}

TEST_CASE("synthetic sessions draw their shape from the distributions, the same for the same seed") {
  SyntheticSessionSpec spec;
  spec.num_sessions = 50;
  spec.arrival.process = ArrivalProcess::poisson;
  spec.arrival.rate_per_s = 2.0;
  spec.turns = LengthDistribution{UniformLength{2, 6}};
  spec.first_input_tokens = LengthDistribution{UniformLength{1500, 2500}};
  spec.input_tokens = LengthDistribution{FixedLength{100}};
  spec.output_tokens = LengthDistribution{FixedLength{50}};
  spec.wait_ms = LengthDistribution{FixedLength{2500}};
  spec.shared_prefix_tokens = 1024;
  const std::vector<Session> sessions = generate_sessions(spec, 3);
  REQUIRE(sessions.size() == 50);
  double last_start = 0.0;
  for (const Session& s : sessions) {
    REQUIRE(s.turns.size() >= 2);
    CHECK(s.turns.size() <= 6);
    CHECK(s.turns[0].at_s >= last_start);
    last_start = s.turns[0].at_s;
    CHECK(s.turns[0].new_input_tokens >= 1500);
    CHECK(s.turns[0].hash_ids == std::vector<std::uint64_t>{synthetic_system_prompt_hash()});
    CHECK(s.turns[0].hash_block_tokens == 1024);
    CHECK(s.turns[1].at_s == 2.5);
    CHECK(s.turns[1].new_input_tokens == 100);
    CHECK(s.turns[1].hash_ids.empty());
  }
  const std::vector<Session> again = generate_sessions(spec, 3);
  CHECK(again[17].turns.size() == sessions[17].turns.size());
  CHECK(again[17].turns[0].new_input_tokens == sessions[17].turns[0].new_input_tokens);
}
