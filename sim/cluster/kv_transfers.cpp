#include "sim/cluster/kv_transfers.h"

#include <algorithm>
#include <cmath>

#include "sim/check.h"

namespace llmsim::sim {
namespace {
/// Quantiles of transfer times and waits within 0.1 % (the summary prints milliseconds).
constexpr double kSketchRelativeError = 0.001;
}  // namespace

KvTransfers::KvTransfers(const KvLink& link, std::int32_t prefill_replicas, std::int32_t decode_replicas)
    : link_(link),
      send_free_ns_(static_cast<std::size_t>(prefill_replicas), 0),
      receive_free_ns_(static_cast<std::size_t>(decode_replicas), 0),
      durations_(kSketchRelativeError),
      waits_(kSketchRelativeError) {
  LLMSIM_CHECK(link.bandwidth_bytes_per_s > 0.0 && link.lanes >= 1 && link.latency_s >= 0.0,
               "a KV link has a positive bandwidth, lanes and a non-negative latency");
  LLMSIM_CHECK(prefill_replicas >= 1 && decode_replicas >= 1, "both pools have replicas");
}

KvTransfers::Booking KvTransfers::book(workloads::TimeNs ready_ns, std::int32_t from, std::int32_t to,
                                       double bytes) {
  LLMSIM_CHECK(ready_ns >= last_ready_ns_, "transfers are booked in the order they become ready");
  LLMSIM_CHECK(bytes >= 0.0 && std::isfinite(bytes), "a transfer moves a finite, non-negative number of bytes");
  last_ready_ns_ = ready_ns;
  workloads::TimeNs& send_free = send_free_ns_.at(static_cast<std::size_t>(from));
  workloads::TimeNs& receive_free = receive_free_ns_.at(static_cast<std::size_t>(to));
  Booking booking;
  booking.start_ns = std::max({ready_ns, send_free, receive_free});
  // Rounded up: the transfer never takes less than the link allows.
  const auto duration_ns = std::max<workloads::TimeNs>(
      1, static_cast<workloads::TimeNs>(std::ceil(link_.transfer_s(bytes) * 1e9)));
  booking.end_ns = booking.start_ns + duration_ns;
  send_free = booking.end_ns;
  receive_free = booking.end_ns;
  ++count_;
  bytes_ += bytes;
  const auto wait_ns = static_cast<double>(booking.start_ns - ready_ns);
  duration_sum_ns_ += static_cast<double>(duration_ns);
  wait_sum_ns_ += wait_ns;
  durations_.add(static_cast<double>(duration_ns));
  waits_.add(wait_ns);
  return booking;
}

}  // namespace llmsim::sim
