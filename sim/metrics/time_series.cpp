#include "sim/metrics/time_series.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "sim/check.h"

namespace llmsim::sim {
namespace {

void append_fixed6(std::string& out, double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 6);
  out.append(buffer, end);
}

void append_int(std::string& out, std::int64_t value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

double per(double numerator, double denominator) { return denominator > 0.0 ? numerator / denominator : 0.0; }

}  // namespace

void TimeSeriesBucket::merge(const TimeSeriesBucket& other) {
  iterations += other.iterations;
  seqs += other.seqs;
  new_tokens += other.new_tokens;
  output_tokens += other.output_tokens;
  completed_requests += other.completed_requests;
  busy_ns += other.busy_ns;
  compute_bound_ns += other.compute_bound_ns;
  waiting_sum += other.waiting_sum;
  waiting_max = std::max(waiting_max, other.waiting_max);
  kv_usage_sum += other.kv_usage_sum;
  kv_usage_max = std::max(kv_usage_max, other.kv_usage_max);
}

TimeSeriesRecorder::TimeSeriesRecorder(std::int32_t replicas, std::int64_t max_points,
                                       workloads::TimeNs initial_interval_ns)
    : replicas_(replicas), max_points_(max_points), interval_ns_(initial_interval_ns) {
  LLMSIM_CHECK(replicas >= 1 && max_points >= 2 && initial_interval_ns >= 1,
               "a time series has replicas, at least two points and a positive interval");
}

void TimeSeriesRecorder::halve_resolution() {
  std::vector<TimeSeriesBucket> merged((buckets_.size() + 1) / 2);
  for (std::size_t k = 0; k < buckets_.size(); ++k) merged[k / 2].merge(buckets_[k]);
  buckets_ = std::move(merged);
  interval_ns_ *= 2;
}

TimeSeriesBucket& TimeSeriesRecorder::bucket_at(workloads::TimeNs t_ns) {
  while (t_ns / interval_ns_ >= max_points_) halve_resolution();
  const auto k = static_cast<std::size_t>(t_ns / interval_ns_);
  if (k >= buckets_.size()) buckets_.resize(k + 1);
  return buckets_[k];
}

void TimeSeriesRecorder::add_span(workloads::TimeNs start_ns, workloads::TimeNs end_ns, bool compute_bound) {
  workloads::TimeNs t = start_ns;
  while (t < end_ns) {
    const workloads::TimeNs bucket_end = (t / interval_ns_ + 1) * interval_ns_;
    const workloads::TimeNs piece_end = std::min(end_ns, bucket_end);
    TimeSeriesBucket& bucket = buckets_[static_cast<std::size_t>(t / interval_ns_)];
    bucket.busy_ns += piece_end - t;
    if (compute_bound) bucket.compute_bound_ns += piece_end - t;
    t = piece_end;
  }
}

void TimeSeriesRecorder::on_iteration_end(const IterationView& view) {
  const IterationPlan& plan = *view.plan;
  LLMSIM_CHECK(plan.end_ns >= plan.start_ns && plan.start_ns >= 0, "an iteration ends after it starts");
  // The end bucket first: it fixes the resolution, and every bucket the span touches exists.
  TimeSeriesBucket& end_bucket = bucket_at(plan.end_ns);
  ++end_bucket.iterations;
  end_bucket.seqs += static_cast<std::int64_t>(plan.seqs.size()) + plan.group_seqs;
  end_bucket.new_tokens += plan.shape.total_new_tokens();
  // A verify step (speculative decoding) samples at each of its positions but emits
  // accepted + 1 tokens.
  end_bucket.output_tokens += plan.shape.sampled_seqs - plan.verify_tokens + plan.verify_emitted;
  end_bucket.completed_requests += view.completed_requests;
  end_bucket.waiting_sum += view.waiting_requests_all;
  end_bucket.waiting_max = std::max(end_bucket.waiting_max, view.waiting_requests_all);
  const double kv_usage =
      static_cast<double>(view.kv_blocks_allocated) / static_cast<double>(std::max<std::int64_t>(1, view.kv_blocks_total));
  end_bucket.kv_usage_sum += kv_usage;
  end_bucket.kv_usage_max = std::max(end_bucket.kv_usage_max, kv_usage);
  add_span(plan.start_ns, plan.end_ns, plan.cost.bound == hw::Bound::compute);
}

std::string TimeSeriesRecorder::csv_text() const {
  std::string out =
      "t_start_s,t_end_s,iterations,mean_batch_size,tokens_per_s,output_tokens_per_s,"
      "requests_completed_per_s,waiting_mean,waiting_max,kv_usage_mean,kv_usage_max,busy_share,"
      "compute_bound_share\n";
  const double interval_s = static_cast<double>(interval_ns_) / 1e9;
  for (std::size_t k = 0; k < buckets_.size(); ++k) {
    const TimeSeriesBucket& b = buckets_[k];
    const auto iterations = static_cast<double>(b.iterations);
    const double values[] = {
        static_cast<double>(static_cast<std::int64_t>(k) * interval_ns_) / 1e9,
        static_cast<double>(static_cast<std::int64_t>(k + 1) * interval_ns_) / 1e9,
        iterations,
        per(static_cast<double>(b.seqs), iterations),
        static_cast<double>(b.new_tokens) / interval_s,
        static_cast<double>(b.output_tokens) / interval_s,
        static_cast<double>(b.completed_requests) / interval_s,
        per(static_cast<double>(b.waiting_sum), iterations),
        static_cast<double>(b.waiting_max),
        per(b.kv_usage_sum, iterations),
        b.kv_usage_max,
        static_cast<double>(b.busy_ns) / (static_cast<double>(interval_ns_) * static_cast<double>(replicas_)),
        per(static_cast<double>(b.compute_bound_ns), static_cast<double>(b.busy_ns)),
    };
    for (std::size_t i = 0; i < std::size(values); ++i) {
      if (i > 0) out += ',';
      if (i == 2) {
        append_int(out, b.iterations);
      } else if (i == 8) {
        append_int(out, b.waiting_max);
      } else {
        append_fixed6(out, values[i]);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace llmsim::sim
