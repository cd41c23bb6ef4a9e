#include "sim/cluster/session_request_source.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/check.h"
#include "workloads/rng_stream.h"

namespace llmsim::sim {
namespace {

/// The content hash of a session's own segment: its new input (part 0) or output (part 1)
/// of turn `turn`.
std::uint64_t own_segment_hash(const std::string& session, std::size_t turn, std::uint64_t part) {
  const std::uint64_t base = workloads::mix64(workloads::fnv1a64("llmsim/session/" + session));
  return workloads::mix64(base ^ workloads::mix64(2 * static_cast<std::uint64_t>(turn) + part + 1));
}

}  // namespace

workloads::TimeNs session_seconds_to_ns(double seconds) {
  return static_cast<workloads::TimeNs>(std::llround(seconds * 1e9));
}

SessionRequestSource::SessionRequestSource(std::shared_ptr<const std::vector<workloads::Session>> sessions)
    : sessions_(std::move(sessions)) {
  LLMSIM_CHECK(sessions_ != nullptr && !sessions_->empty(), "a session workload has sessions");
  progress_.resize(sessions_->size());
  for (std::size_t s = 0; s < sessions_->size(); ++s) {
    LLMSIM_CHECK(!(*sessions_)[s].turns.empty(), "a session has at least one turn");
    start_order_.push_back(s);
  }
  std::stable_sort(start_order_.begin(), start_order_.end(), [this](std::size_t a, std::size_t b) {
    return session_seconds_to_ns((*sessions_)[a].turns.front().at_s) <
           session_seconds_to_ns((*sessions_)[b].turns.front().at_s);
  });
}

std::optional<workloads::RequestSpec> SessionRequestSource::next() {
  if (started_ >= start_order_.size()) return std::nullopt;
  const std::size_t s = start_order_[started_++];
  return issue(s, session_seconds_to_ns((*sessions_)[s].turns.front().at_s));
}

workloads::RequestSpec SessionRequestSource::issue(std::size_t s, workloads::TimeNs arrival_ns) {
  const workloads::Session& session = (*sessions_)[s];
  Progress& p = progress_[s];
  const workloads::SessionTurn& turn = session.turns[p.next_turn];
  LLMSIM_CHECK(turn.new_input_tokens >= 1 && turn.output_tokens >= 1 && turn.hash_block_tokens >= 1,
               "a turn has new input and output tokens");
  workloads::RequestSpec r;
  r.id = next_id_++;
  r.arrival_ns = arrival_ns;
  r.input_tokens = p.context_tokens + turn.new_input_tokens;
  r.output_tokens = turn.output_tokens;
  r.session = static_cast<std::int64_t>(s);
  // The context's segments, then the new input's: its hash ids, then the session's own rest.
  std::int64_t left = turn.new_input_tokens;
  for (const std::uint64_t hash : turn.hash_ids) {
    if (left == 0) break;
    const std::int64_t tokens = std::min(left, turn.hash_block_tokens);
    p.segment_hashes.push_back(hash);
    p.segment_tokens.push_back(tokens);
    left -= tokens;
  }
  if (left > 0) {
    p.segment_hashes.push_back(own_segment_hash(session.id, p.next_turn, 0));
    p.segment_tokens.push_back(left);
  }
  r.prefix_hashes = p.segment_hashes;
  r.prefix_segment_tokens = p.segment_tokens;
  const std::uint64_t output_hash = own_segment_hash(session.id, p.next_turn, 1);
  r.sample_output_hashes = {output_hash};
  // The next turn's context: this prompt and this output.
  p.segment_hashes.push_back(output_hash);
  p.segment_tokens.push_back(turn.output_tokens);
  p.context_tokens = r.input_tokens + r.output_tokens;
  ++p.next_turn;
  session_of_request_.push_back(s);
  return r;
}

void SessionRequestSource::on_request_done(std::size_t /*index*/, const RequestRecord& record,
                                           workloads::TimeNs now, std::vector<workloads::RequestSpec>& released) {
  LLMSIM_CHECK(record.id < session_of_request_.size(), "a finished request is one this source issued");
  const std::size_t s = session_of_request_[record.id];
  const workloads::Session& session = (*sessions_)[s];
  if (record.status != RequestStatus::completed) {
    ++sessions_failed_;
    return;
  }
  const std::size_t next_turn = progress_[s].next_turn;
  if (next_turn >= session.turns.size()) {
    ++sessions_completed_;
    return;
  }
  const workloads::TimeNs wait_ns = session_seconds_to_ns(session.turns[next_turn].at_s);
  LLMSIM_CHECK(wait_ns >= 0, "a turn waits a non-negative time (the loader checks it)");
  released.push_back(issue(s, now + wait_ns));
}

}  // namespace llmsim::sim
