// Simulator: the disaggregated path (sim/cluster/disaggregation.h). A request's prefill stage
// runs on the prefill pool as a request of one output token; when it completes, its prompt's
// KV is booked on the link (KvTransfers) to a decode replica, where it lands and decodes.
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
  }
  Pool& pool = local ? decode : prefill;
  const std::int32_t r = pool.route(request);
  rec.replica = r;
  if (local) {
    ++local_prefills_;
    pool.replicas()[static_cast<std::size_t>(r)].add_request(request, index);
  } else {
    prefilling_[index] = 1;
    handed_over_[index] = request;
    pool.replicas()[static_cast<std::size_t>(r)].add_request(stage, index);
  }
  mark_for_planning(rec.pool, r);
}

void Simulator::on_completed(RequestIndex index) {
  if (index >= prefilling_.size() || prefilling_[index] == 0) {
    request_done(index);
    return;
  }
  prefilling_[index] = 0;
  const workloads::RequestSpec& request = handed_over_[index];
  RequestRecord& rec = records_[index];
  if (request.output_tokens == 1) {  // nothing is left to decode
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
  const DisaggregationSpec& d = *scenario_.disaggregation;
  Pool& decode = pools_[static_cast<std::size_t>(d.decode_pool)];
  const std::int32_t to = decode.route(request);
  const double bytes = static_cast<double>(request.input_tokens) * d.kv_bytes_per_token;
  const KvTransfers::Booking booking = transfers_->book(now_, rec.replica, to, bytes);
  rec.pool = d.decode_pool;
  rec.replica = to;
  queue_.push(booking.end_ns, TransferLandedEvent{index, to});
}

void Simulator::on_transfer_landed(const TransferLandedEvent& event) {
  const DisaggregationSpec& d = *scenario_.disaggregation;
  RequestRecord& rec = records_[event.request];
  LLMSIM_CHECK(rec.status == RequestStatus::unfinished && rec.first_token_ns <= now_,
               "a transfer lands after its prefill sampled the first token");
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
