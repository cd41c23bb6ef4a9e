#include "sim/metrics/trace_writer.h"

#include <charconv>
#include <functional>
#include <queue>
#include <set>
#include <utility>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

void append_int(std::string& out, std::int64_t value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

/// Non-negative nanoseconds as microseconds with exactly 3 decimals.
void append_us(std::string& out, std::int64_t ns) {
  append_int(out, ns / 1000);
  const std::int64_t fraction = ns % 1000;
  out += '.';
  out += static_cast<char>('0' + fraction / 100);
  out += static_cast<char>('0' + fraction / 10 % 10);
  out += static_cast<char>('0' + fraction % 10);
}

/// Non-negative nanoseconds as milliseconds with exactly 6 decimals.
void append_ms(std::string& out, std::int64_t ns) {
  append_int(out, ns / 1000000);
  std::int64_t fraction = ns % 1000000;
  char digits[6];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  out += '.';
  out.append(digits, 6);
}

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
}

/// Starts one "X" event (without closing its args object).
void begin_event(std::string& out, const std::string& name, const char* category, std::int64_t pid,
                 std::int64_t tid, std::int64_t start_ns, std::int64_t end_ns) {
  out += ",\n{\"name\":";
  append_json_string(out, name);
  out += ",\"cat\":\"";
  out += category;
  out += "\",\"ph\":\"X\",\"pid\":";
  append_int(out, pid);
  out += ",\"tid\":";
  append_int(out, tid);
  out += ",\"ts\":";
  append_us(out, start_ns);
  out += ",\"dur\":";
  append_us(out, end_ns - start_ns);
}

void metadata(std::string& out, const char* what, std::int64_t pid, std::int64_t tid, const std::string& name) {
  out += ",\n{\"name\":\"";
  out += what;
  out += "\",\"ph\":\"M\",\"pid\":";
  append_int(out, pid);
  out += ",\"tid\":";
  append_int(out, tid);
  out += ",\"args\":{\"name\":";
  append_json_string(out, name);
  out += "}}";
}

}  // namespace

TraceWriter::TraceWriter(const Scenario& scenario, TraceOptions options) : options_(options) {
  LLMSIM_CHECK(options_.end_ns >= options_.start_ns && options_.max_events >= 0, "a trace window is ordered");
  std::int32_t slot = 0;
  for (const PoolSpec& pool : scenario.pools) {
    first_slot_of_pool_.push_back(slot);
    for (int r = 0; r < pool.replicas; ++r, ++slot) {
      slot_names_.push_back("replica " + std::to_string(r) + " (pool " + pool.name + ")");
      slot_ranks_.push_back(pool.attention_data_parallel);
    }
  }
}

bool TraceWriter::overlaps(workloads::TimeNs start_ns, workloads::TimeNs end_ns) const {
  return end_ns >= options_.start_ns && start_ns <= options_.end_ns;
}

void TraceWriter::on_iteration_end(const IterationView& view) {
  const IterationPlan& plan = *view.plan;
  if (!overlaps(plan.start_ns, plan.end_ns)) return;
  if (static_cast<std::int64_t>(iterations_.size()) >= options_.max_events) {
    iterations_truncated_ = true;
    return;
  }
  IterationEvent e;
  e.slot = view.replica_slot;
  e.dp_rank = view.dp_rank;
  e.index = plan.index;
  e.start_ns = plan.start_ns;
  e.end_ns = plan.end_ns;
  e.seqs = static_cast<std::int64_t>(plan.seqs.size()) + plan.group_seqs;
  e.prefill_seqs = plan.shape.prefill_seqs;
  e.prefill_tokens = plan.shape.prefill_tokens;
  e.decode_seqs = plan.shape.decode_seqs + plan.shape.verify_seqs;  // verify steps are decode steps
  e.admitted = plan.admitted;
  e.preempted = plan.preempted;
  e.compute_bound = plan.cost.bound == hw::Bound::compute;
  iterations_.push_back(e);
}

std::string TraceWriter::json_text(const RunResult& result) const {
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out += "{\"name\":\"llmsim\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"llmsim\"}}";
  for (std::size_t s = 0; s < slot_names_.size(); ++s) {
    const auto pid = static_cast<std::int64_t>(s) + 1;
    metadata(out, "process_name", pid, 0, slot_names_[s]);
    const std::int32_t ranks = slot_ranks_[s];
    if (ranks == 1) {
      metadata(out, "thread_name", pid, 0, "iterations");
    } else {
      for (std::int32_t d = 0; d < ranks; ++d) metadata(out, "thread_name", pid, d, "rank " + std::to_string(d) + " iterations");
    }
  }
  for (const IterationEvent& e : iterations_) {
    const char* name = e.decode_seqs == 0 ? "prefill" : (e.prefill_tokens == 0 ? "decode" : "mixed");
    begin_event(out, name, "iteration", e.slot + 1, e.dp_rank, e.start_ns, e.end_ns);
    out += ",\"args\":{\"iteration\":";
    append_int(out, e.index);
    out += ",\"seqs\":";
    append_int(out, e.seqs);
    out += ",\"prefill_seqs\":";
    append_int(out, e.prefill_seqs);
    out += ",\"prefill_tokens\":";
    append_int(out, e.prefill_tokens);
    out += ",\"decode_seqs\":";
    append_int(out, e.decode_seqs);
    out += ",\"admitted\":";
    append_int(out, e.admitted);
    out += ",\"preempted\":";
    append_int(out, e.preempted);
    out += ",\"step_ms\":";
    append_ms(out, e.end_ns - e.start_ns);
    out += e.compute_bound ? ",\"bound\":\"compute\"}}" : ",\"bound\":\"memory\"}}";
  }

  // Request lanes per replica slot: the lowest lane free at arrival (a lane is free once the
  // request on it has completed).
  using Busy = std::pair<workloads::TimeNs, std::int64_t>;  // (completion, lane)
  std::vector<std::priority_queue<Busy, std::vector<Busy>, std::greater<Busy>>> busy(slot_names_.size());
  std::vector<std::set<std::int64_t>> free_lanes(slot_names_.size());
  std::vector<std::int64_t> lanes(slot_names_.size(), 0);
  std::int64_t request_events = 0;
  bool requests_truncated = false;
  for (const RequestRecord& r : result.requests) {
    if (r.status != RequestStatus::completed || r.replica < 0 || r.pool < 0) continue;
    if (!overlaps(r.arrival_ns, r.completion_ns)) continue;
    if (request_events + 4 > options_.max_events) {
      requests_truncated = true;
      break;
    }
    request_events += 4;
    const std::size_t slot = static_cast<std::size_t>(first_slot_of_pool_[static_cast<std::size_t>(r.pool)]) +
                             static_cast<std::size_t>(r.replica);
    while (!busy[slot].empty() && busy[slot].top().first <= r.arrival_ns) {
      free_lanes[slot].insert(busy[slot].top().second);
      busy[slot].pop();
    }
    const std::int64_t first_lane_tid = slot_ranks_[slot];  // after the iteration tracks
    std::int64_t lane = 0;
    if (free_lanes[slot].empty()) {
      lane = lanes[slot]++;
      metadata(out, "thread_name", static_cast<std::int64_t>(slot) + 1, lane + first_lane_tid,
               "requests " + std::to_string(lane + 1));
    } else {
      lane = *free_lanes[slot].begin();
      free_lanes[slot].erase(free_lanes[slot].begin());
    }
    busy[slot].emplace(r.completion_ns, lane);
    const auto pid = static_cast<std::int64_t>(slot) + 1;
    begin_event(out, "request " + std::to_string(r.id), "request", pid, lane + first_lane_tid, r.arrival_ns,
                r.completion_ns);
    out += ",\"args\":{\"id\":";
    append_int(out, static_cast<std::int64_t>(r.id));
    out += ",\"input_tokens\":";
    append_int(out, r.input_tokens);
    out += ",\"output_tokens\":";
    append_int(out, r.output_tokens);
    out += ",\"cached_tokens\":";
    append_int(out, r.cached_tokens);
    out += ",\"preemptions\":";
    append_int(out, r.preemptions);
    out += "}}";
    const std::pair<const char*, std::pair<workloads::TimeNs, workloads::TimeNs>> phases[] = {
        {"queued", {r.arrival_ns, r.scheduled_ns}},
        {"prefill", {r.scheduled_ns, r.first_token_ns}},
        {"decode", {r.first_token_ns, r.completion_ns}}};
    for (const auto& [name, span] : phases) {
      begin_event(out, name, "request", pid, lane + first_lane_tid, span.first, span.second);
      out += ",\"args\":{}}";
    }
  }
  out += "\n],\"otherData\":{\"window_start_us\":";
  append_us(out, options_.start_ns);
  out += ",\"window_end_us\":";
  append_us(out, options_.end_ns);
  out += ",\"iteration_events\":";
  append_int(out, static_cast<std::int64_t>(iterations_.size()));
  out += ",\"iterations_truncated\":";
  out += iterations_truncated_ ? "true" : "false";
  out += ",\"request_events\":";
  append_int(out, request_events);
  out += ",\"requests_truncated\":";
  out += requests_truncated ? "true" : "false";
  out += "}}\n";
  return out;
}

}  // namespace llmsim::sim
