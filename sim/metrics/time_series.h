// TimeSeriesRecorder: per-interval aggregates of a run's iterations (throughput, queue
// length, batch size, KV-cache usage, compute- vs memory-bound time), in bounded memory.
//
// Time is cut into buckets [k x interval, (k+1) x interval) of simulated time. Counts
// (iterations, sequences, tokens, completions, queue and KV samples) go to the bucket of
// the iteration's end; busy and compute-bound time are split over the buckets the
// iteration spans. When a bucket index would reach max_points, adjacent pairs of buckets
// are merged and the interval doubles, so there are never more than max_points buckets
// and the interval is initial_interval x 2^j. Everything depends on simulated time only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/metrics/iteration_observer.h"
#include "workloads/request_spec.h"

namespace llmsim::sim {

/// Sums and maxima over the iterations that ended in one bucket (all replicas).
struct TimeSeriesBucket {
  std::int64_t iterations = 0;
  std::int64_t seqs = 0;                ///< sum of batch sizes (sequences per iteration)
  std::int64_t new_tokens = 0;          ///< prompt + decode tokens processed
  std::int64_t output_tokens = 0;       ///< tokens sampled
  std::int64_t completed_requests = 0;
  std::int64_t busy_ns = 0;             ///< iteration time inside the bucket, summed over replicas
  std::int64_t compute_bound_ns = 0;    ///< of busy_ns, in compute-bound iterations
  std::int64_t waiting_sum = 0;         ///< run-wide waiting requests, summed over iteration ends
  std::int64_t waiting_max = 0;
  double kv_usage_sum = 0.0;            ///< replica's allocated / total blocks, summed over iteration ends
  double kv_usage_max = 0.0;

  void merge(const TimeSeriesBucket& other);
};

class TimeSeriesRecorder final : public IterationObserver {
 public:
  /// replicas >= 1: run-wide GPU sets (gpu_set_count(): replicas, co-located pools' counted
  /// once), the busy-share denominator; max_points >= 2, initial_interval_ns >= 1.
  /// The default of at most 256 points keeps a report's curves readable (a 10-minute run
  /// gets 2.56 s buckets); the interval starts at 10 ms for short runs.
  explicit TimeSeriesRecorder(std::int32_t replicas, std::int64_t max_points = 256,
                              workloads::TimeNs initial_interval_ns = 10'000'000);

  void on_iteration_end(const IterationView& view) override;

  workloads::TimeNs interval_ns() const { return interval_ns_; }
  /// Bucket k covers [k x interval_ns, (k+1) x interval_ns); up to the last iteration's end.
  const std::vector<TimeSeriesBucket>& buckets() const { return buckets_; }

  /// timeseries.csv: a header line, then one line per bucket:
  ///   t_start_s,t_end_s,iterations,mean_batch_size,tokens_per_s,output_tokens_per_s,
  ///   requests_completed_per_s,waiting_mean,waiting_max,kv_usage_mean,kv_usage_max,
  ///   busy_share,compute_bound_share
  /// Means are over the iteration ends in the bucket (0 when there are none); busy_share =
  /// busy_ns / (interval x replicas, the constructor's GPU sets); compute_bound_share =
  /// compute_bound_ns / busy_ns (0 when idle). iterations and waiting_max are integers; the
  /// other numbers have 6 decimals.
  std::string csv_text() const;

 private:
  TimeSeriesBucket& bucket_at(workloads::TimeNs t_ns);
  /// Adds the part of [start, end) inside each bucket to busy (and compute-bound) time.
  void add_span(workloads::TimeNs start_ns, workloads::TimeNs end_ns, bool compute_bound);
  void halve_resolution();

  std::int32_t replicas_;
  std::int64_t max_points_;
  workloads::TimeNs interval_ns_;
  std::vector<TimeSeriesBucket> buckets_;
};

}  // namespace llmsim::sim
