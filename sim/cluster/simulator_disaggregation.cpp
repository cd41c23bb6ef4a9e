// Simulator: the disaggregated path (sim/cluster/disaggregation.h). A request's prefill stage
// runs on the prefill pool as a request of one output token; when it completes, the decode
// replica chosen for it reserves its KV blocks (at once, or when blocks free up there, in
// arrival order), then its prompt's KV is booked on the link (KvTransfers), and it lands and
// decodes. The prefill replica holds the request's KV blocks until the transfer ends.
#include <algorithm>

#include "sim/check.h"
#include "sim/cluster/simulator.h"

namespace llmsim::sim {
namespace {

constexpr double kNsPerMs = 1e6;

double quantile_ms(const RelativeErrorSketch& sketch, double q) {
  if (sketch.count() == 0) return 0.0;
  // Nearest rank: the value at rank round(q x (n - 1)), within the sketch's 0.1 %.
  const auto rank = static_cast<std::int64_t>(std::llround(q * static_cast<double>(sketch.count() - 1)));
  return sketch.value_at(rank) / kNsPerMs;
}

}  // namespace

void Simulator::accept_disaggregated(const workloads::RequestSpec& request, RequestIndex index) {
  const DisaggregationSpec& d = *scenario_.disaggregation;
  Pool& decode = pools_[static_cast<std::size_t>(d.decode_pool)];
  Pool& prefill = pools_[static_cast<std::size_t>(d.prefill_pool)];
  RequestRecord& rec = records_[index];
  const bool local = d.local_prefill_below > 0 && request.input_tokens < d.local_prefill_below;
  LLMSIM_CHECK(request.num_samples() == 1, "disaggregated requests have one sample");
  // The prefill stage: the prompt and the first output token (vLLM's max_tokens 1).
  workloads::RequestSpec stage = request;
  stage.output_tokens = 1;
  RejectReason reason = decode.check(request);
  if (reason == RejectReason::none && !local) reason = prefill.check(stage);
  rec.pool = local ? d.decode_pool : d.prefill_pool;
  if (reason != RejectReason::none) {
    rec.status = RequestStatus::rejected;
    rec.reject_reason = reason;
    request_done(index);
    return;
  }
  if (index >= prefilling_.size()) {
    prefilling_.resize(index + 1, 0);
    handed_over_.resize(index + 1);
    prefill_replica_.resize(index + 1, -1);
    prefill_done_ns_.resize(index + 1, 0);
  }
  Pool& pool = local ? decode : prefill;
  const std::int32_t e = pool.route(request);  // the engine (an attention rank under DP: pool.h)
  rec.replica = pool.replica_of(e);
  if (local) {
    ++local_prefills_;
    pool.replicas()[static_cast<std::size_t>(e)].add_request(request, index);
  } else {
    prefilling_[index] = 1;
    handed_over_[index] = request;
    prefill_replica_[index] = e;  // holds the KV from its completion until the transfer ends
    pool.replicas()[static_cast<std::size_t>(e)].add_request(stage, index);
  }
  mark_for_planning(rec.pool, e);
}

void Simulator::on_completed(RequestIndex index) {
  if (index >= prefilling_.size() || prefilling_[index] == 0) {
    request_done(index);
    return;
  }
  prefilling_[index] = 0;
  const workloads::RequestSpec& request = handed_over_[index];
  RequestRecord& rec = records_[index];
  const DisaggregationSpec& d = *scenario_.disaggregation;
  Pool& prefill = pools_[static_cast<std::size_t>(d.prefill_pool)];
  if (request.output_tokens == 1) {  // nothing is left to decode: nothing to send
    prefill.replicas()[static_cast<std::size_t>(prefill_replica_[index])].release_transfer_blocks(index);
    mark_for_planning(d.prefill_pool, prefill_replica_[index]);
    ++finished_on_prefill_;
    handed_over_[index] = {};
    request_done(index);
    return;
  }
  LLMSIM_CHECK(rec.status == RequestStatus::completed && rec.generated_tokens == 1 && rec.completion_ns == now_,
               "a prefill stage completes with the first token, handled when its iteration ends");
  // The request goes on: it is unfinished until the decode replica samples its last token.
  rec.status = RequestStatus::unfinished;
  rec.completion_ns = -1;
  rec.samples_finished = 0;
  prefill_done_ns_[index] = now_;
  Pool& decode = pools_[static_cast<std::size_t>(d.decode_pool)];
  const std::int32_t to = decode.route(request);  // an engine, as prefill_replica_
  rec.pool = d.decode_pool;
  rec.replica = decode.replica_of(to);
  // Admission before transfer: the decode replica reserves the blocks the KV is written
  // into, first come first served (disaggregation.h).
  if (awaiting_blocks_.empty()) awaiting_blocks_.resize(decode.replicas().size());
  std::deque<RequestIndex>& waiting = awaiting_blocks_[static_cast<std::size_t>(to)];
  if (waiting.empty() && decode.replicas()[static_cast<std::size_t>(to)].reserve_transfer_blocks(index, request.input_tokens)) {
    start_transfer(index, to);
  } else {
    waiting.push_back(index);
  }
}

void Simulator::start_transfer(RequestIndex index, std::int32_t to) {
  const DisaggregationSpec& d = *scenario_.disaggregation;
  const double bytes = static_cast<double>(handed_over_[index].input_tokens) * d.kv_bytes_per_token;
  reservation_wait_sum_ns_ += static_cast<double>(now_ - prefill_done_ns_[index]);
  const KvTransfers::Booking booking = transfers_->book(now_, prefill_replica_[index], to, bytes);
  queue_.push(booking.end_ns, TransferLandedEvent{index, to});
}

void Simulator::reserve_waiting_transfers(std::int32_t replica) {
  if (awaiting_blocks_.empty()) return;
  std::deque<RequestIndex>& waiting = awaiting_blocks_[static_cast<std::size_t>(replica)];
  Replica& decode = pools_[static_cast<std::size_t>(scenario_.disaggregation->decode_pool)]
                        .replicas()[static_cast<std::size_t>(replica)];
  while (!waiting.empty() && decode.reserve_transfer_blocks(waiting.front(), handed_over_[waiting.front()].input_tokens)) {
    start_transfer(waiting.front(), replica);
    waiting.pop_front();
  }
}

void Simulator::on_transfer_landed(const TransferLandedEvent& event) {
  const DisaggregationSpec& d = *scenario_.disaggregation;
  RequestRecord& rec = records_[event.request];
  LLMSIM_CHECK(rec.status == RequestStatus::unfinished && rec.first_token_ns <= now_,
               "a transfer lands after its prefill sampled the first token");
  // The decode side has read the KV: the prefill replica frees its blocks.
  const std::int32_t from = prefill_replica_[event.request];
  pools_[static_cast<std::size_t>(d.prefill_pool)].replicas()[static_cast<std::size_t>(from)].release_transfer_blocks(
      event.request);
  mark_for_planning(d.prefill_pool, from);
  // The client receives the first token from the decode side, with the KV (disaggregation.h).
  rec.first_token_ns = now_;
  Pool& decode = pools_[static_cast<std::size_t>(d.decode_pool)];
  decode.replicas()[static_cast<std::size_t>(event.replica)].add_transferred_request(
      handed_over_[event.request], event.request, now_);
  handed_over_[event.request] = {};  // its prefix hashes are the replica's now
  mark_for_planning(d.decode_pool, event.replica);
}

nlohmann::ordered_json Simulator::disaggregation_summary() const {
  const DisaggregationSpec& d = *scenario_.disaggregation;
  nlohmann::ordered_json j;
  j["prefill_pool"] = scenario_.pools[static_cast<std::size_t>(d.prefill_pool)].name;
  j["decode_pool"] = scenario_.pools[static_cast<std::size_t>(d.decode_pool)].name;
  j["local_prefill_below"] = d.local_prefill_below;
  nlohmann::ordered_json link;
  link["kind"] = d.link.kind == KvLink::Kind::scale_up ? "scale_up" : "scale_out";
  link["lanes"] = d.link.lanes;
  link["bandwidth_gb_per_s_per_lane"] = d.link.bandwidth_bytes_per_s / 1e9;
  link["latency_us"] = d.link.latency_s * 1e6;
  j["link"] = std::move(link);
  j["kv_bytes_per_token"] = d.kv_bytes_per_token;
  j["transfers"] = transfers_->count();
  j["transfer_bytes"] = transfers_->bytes();
  const auto count = static_cast<double>(std::max<std::int64_t>(1, transfers_->count()));
  j["mean_transfer_ms"] = transfers_->count() > 0 ? transfers_->duration_sum_ns() / count / kNsPerMs : 0.0;
  j["p99_transfer_ms"] = quantile_ms(transfers_->durations_ns(), 0.99);
  j["mean_transfer_queue_ms"] = transfers_->count() > 0 ? transfers_->wait_sum_ns() / count / kNsPerMs : 0.0;
  j["p99_transfer_queue_ms"] = quantile_ms(transfers_->waits_ns(), 0.99);
  // Before the link: the wait for the decode replica's KV blocks (admission before transfer).
  j["mean_decode_reservation_wait_ms"] = transfers_->count() > 0 ? reservation_wait_sum_ns_ / count / kNsPerMs : 0.0;
  j["local_prefills"] = local_prefills_;
  j["finished_on_prefill"] = finished_on_prefill_;
  // Per pool: the share of its replicas' time spent in iterations.
  nlohmann::ordered_json pools = nlohmann::ordered_json::array();
  std::int32_t slot = 0;
  for (const PoolSpec& pool : scenario_.pools) {
    double busy_s = 0.0;
    for (std::int32_t r = 0; r < pool.replicas; ++r) busy_s += metrics_->slot_time_s(slot + r);
    slot += pool.replicas;
    const double span_s = static_cast<double>(now_) * 1e-9 * static_cast<double>(pool.replicas);
    nlohmann::ordered_json p;
    p["name"] = pool.name;
    p["busy_time_share"] = span_s > 0.0 ? busy_s / span_s : 0.0;
    pools.push_back(std::move(p));
  }
  j["pools"] = std::move(pools);
  return j;
}

}  // namespace llmsim::sim
