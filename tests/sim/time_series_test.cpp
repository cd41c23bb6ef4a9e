// TimeSeriesRecorder: per-interval aggregates of iterations, in bounded memory.
#include <doctest/doctest.h>

#include <string>

#include "sim/metrics/time_series.h"

namespace {

using llmsim::sim::IterationPlan;
using llmsim::sim::IterationView;
using llmsim::sim::TimeSeriesRecorder;

/// An iteration of `seqs` decode sequences from start to end (ns), each sampling a token.
IterationPlan decode_plan(std::int64_t start_ns, std::int64_t end_ns, std::int64_t seqs, bool compute_bound = false) {
  IterationPlan plan;
  plan.start_ns = start_ns;
  plan.end_ns = end_ns;
  plan.seqs.resize(static_cast<std::size_t>(seqs));
  plan.shape.decode_seqs = seqs;
  plan.shape.sampled_seqs = seqs;
  plan.cost.bound = compute_bound ? llmsim::hw::Bound::compute : llmsim::hw::Bound::memory;
  return plan;
}

IterationView view_of(const IterationPlan& plan, std::int64_t waiting_all, std::int64_t kv_allocated) {
  IterationView view;
  view.plan = &plan;
  view.waiting_requests_all = waiting_all;
  view.kv_blocks_allocated = kv_allocated;
  view.kv_blocks_total = 100;
  return view;
}

}  // namespace

TEST_CASE("iterations are counted in the bucket of their end and busy time is split over buckets") {
  TimeSeriesRecorder recorder(1, 100, 10'000'000);  // 10 ms buckets
  const IterationPlan a = decode_plan(2'000'000, 8'000'000, 4);                 // 2-8 ms
  const IterationPlan b = decode_plan(8'000'000, 14'000'000, 6, true);          // 8-14 ms: 2 + 4 ms
  recorder.on_iteration_end(view_of(a, 3, 20));
  recorder.on_iteration_end(view_of(b, 5, 40));
  REQUIRE(recorder.buckets().size() == 2);
  const auto& first = recorder.buckets()[0];
  const auto& second = recorder.buckets()[1];
  CHECK(first.iterations == 1);
  CHECK(first.seqs == 4);
  CHECK(first.busy_ns == 6'000'000 + 2'000'000);
  CHECK(first.compute_bound_ns == 2'000'000);
  CHECK(second.iterations == 1);
  CHECK(second.output_tokens == 6);
  CHECK(second.busy_ns == 4'000'000);
  CHECK(second.compute_bound_ns == 4'000'000);
  CHECK(second.waiting_max == 5);
  CHECK(second.kv_usage_max == doctest::Approx(0.4));
}

TEST_CASE("the interval doubles and buckets merge pairwise when the run outgrows max_points") {
  TimeSeriesRecorder recorder(1, 4, 10'000'000);
  for (int k = 0; k < 4; ++k) {
    const IterationPlan plan = decode_plan(k * 10'000'000, k * 10'000'000 + 1'000'000, 1);
    recorder.on_iteration_end(view_of(plan, 0, 0));
  }
  CHECK(recorder.interval_ns() == 10'000'000);
  const IterationPlan late = decode_plan(45'000'000, 46'000'000, 1);  // bucket 4 at 10 ms: too many
  recorder.on_iteration_end(view_of(late, 0, 0));
  CHECK(recorder.interval_ns() == 20'000'000);
  REQUIRE(recorder.buckets().size() == 3);
  CHECK(recorder.buckets()[0].iterations == 2);
  CHECK(recorder.buckets()[1].iterations == 2);
  CHECK(recorder.buckets()[2].iterations == 1);
}

TEST_CASE("timeseries.csv rates divide by the interval and means by the iterations") {
  TimeSeriesRecorder recorder(2, 100, 1'000'000'000);  // 1 s buckets, two replicas
  const IterationPlan a = decode_plan(0, 500'000'000, 10);
  const IterationPlan b = decode_plan(0, 250'000'000, 30);
  recorder.on_iteration_end(view_of(a, 2, 50));
  recorder.on_iteration_end(view_of(b, 4, 10));
  const std::string csv = recorder.csv_text();
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header ==
        "t_start_s,t_end_s,iterations,mean_batch_size,tokens_per_s,output_tokens_per_s,requests_completed_per_s,"
        "waiting_mean,waiting_max,kv_usage_mean,kv_usage_max,busy_share,compute_bound_share");
  // 40 tokens in 1 s; batch (10 + 30) / 2; waiting (2 + 4) / 2; KV (0.5 + 0.1) / 2;
  // busy 0.75 s of 2 replica-seconds.
  CHECK(csv.substr(header.size() + 1) ==
        "0.000000,1.000000,2,20.000000,40.000000,40.000000,0.000000,3.000000,4,0.300000,0.500000,0.375000,0.000000\n");
}
