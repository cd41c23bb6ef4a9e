#include "loader/session_sections.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "loader/range_checks.h"
#include "loader/scenario_sections.h"
#include "workloads/session_trace_reader.h"

namespace llmsim::loader {

workloads::SessionSpec read_sessions(YamlMap& map, const std::string& base_dir) {
  workloads::SessionSpec spec;
  if (auto trace = map.optional_map("trace")) {
    spec.trace_path = resolve_path(trace->required_string("path"), base_dir);
    const std::int64_t max_sessions = trace->optional_int("max_sessions", 0);
    if (max_sessions < 0) trace->fail("max_sessions", "expected an integer >= 0 (0 = every session)");
    check_trace_file(*trace, spec.trace_path);
    trace->finish();
    map.finish();
    spec.trace_sessions = std::make_shared<const std::vector<workloads::Session>>(
        workloads::read_session_jsonl(spec.trace_path, max_sessions));
    return spec;
  }
  workloads::SyntheticSessionSpec& s = spec.synthetic;
  s.num_sessions = map.require_positive("num_sessions", map.required_int("num_sessions"));
  YamlMap arrival = map.required_map("arrival");
  s.arrival = read_arrival(arrival);
  if (s.arrival.process == workloads::ArrivalProcess::closed_loop) {
    arrival.fail("process", "sessions start open loop (poisson, gamma, constant or all_at_once); each "
                            "session is closed within itself: its next turn waits for the previous one");
  }
  check_arrival_span(arrival, s.arrival, s.num_sessions);
  const auto length = [&map, &base_dir](const char* key) {
    YamlMap dist = map.required_map(key);
    return read_length(dist, base_dir);
  };
  s.turns = length("turns");
  s.first_input_tokens = length("first_input_tokens");
  s.input_tokens = length("input_tokens");
  s.output_tokens = length("output_tokens");
  s.wait_ms = length("wait_ms");
  s.shared_prefix_tokens = map.optional_int("shared_prefix_tokens", 0);
  if (s.shared_prefix_tokens < 0) map.fail("shared_prefix_tokens", "expected an integer >= 0");
  if (s.shared_prefix_tokens > s.first_input_tokens.min_tokens) {
    map.fail("shared_prefix_tokens", "must not exceed first_input_tokens.min (" +
                                         std::to_string(s.first_input_tokens.min_tokens) +
                                         "): every first turn starts with the shared prefix");
  }
  map.finish();
  return spec;
}

}  // namespace llmsim::loader
