// A replica driven by hand: plan, apply, repeat, checking KV conservation at every step.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "sim/metrics/metrics_collector.h"
#include "sim/engine/replica.h"
#include "sim/engine/request_record.h"
#include "sim_test_support.h"

namespace llmsim::sim::testing {

/// Prices: 10 ms per iteration plus 1 us per new token.
struct ReplicaBench {
  LinearPricer pricer{0.010, 0.000001};
  std::vector<RequestRecord> records;
  MetricsCollector metrics;
  Replica replica;
  workloads::TimeNs now = 0;
  std::vector<RequestIndex> completed;

  /// `draft_pricer`: the price of one draft pass of a speculative engine (null: free).
  ReplicaBench(const EngineConfig& engine, std::int64_t kv_blocks,
               std::shared_ptr<const StepPricer> draft_pricer = nullptr)
      : metrics(std::vector<std::int64_t>{kv_blocks}),
        replica(make_config(engine, kv_blocks, std::move(draft_pricer)), pricer, records, metrics) {}

  static ReplicaConfig make_config(const EngineConfig& engine, std::int64_t kv_blocks,
                                   std::shared_ptr<const StepPricer> draft_pricer = nullptr) {
    ReplicaConfig c;
    c.draft_pricer = std::move(draft_pricer);
    c.engine = engine;
    c.kv_blocks = kv_blocks;
    c.flop_coefficients = {2.0, 1.0, 0.0};
    c.architecture = std::make_shared<const core::Architecture>(llama_3_1_8b());
    return c;
  }

  RequestIndex add(const workloads::RequestSpec& r) {
    RequestRecord rec;
    rec.id = r.id;
    rec.arrival_ns = r.arrival_ns;
    rec.input_tokens = r.input_tokens;
    rec.output_tokens = r.output_tokens;
    records.push_back(rec);
    replica.add_request(r, records.size() - 1);
    return records.size() - 1;
  }

  void check_kv() const {
    const KvBlockManager& kv = replica.kv();
    CHECK(kv.num_allocated() + kv.num_free() + kv.num_cached_evictable() == kv.num_blocks());
    kv.audit();
  }

  /// Plans and applies one iteration; returns its plan (a copy).
  IterationPlan step() {
    now = replica.plan_iteration(now);
    IterationPlan plan = replica.plan();
    check_kv();
    replica.apply_iteration(completed);
    check_kv();
    return plan;
  }

  /// Steps until the replica is idle; returns the number of iterations (bounded).
  int run_to_idle(int max_iterations = 100000) {
    int n = 0;
    while (replica.has_work() && n < max_iterations) {
      step();
      ++n;
    }
    return n;
  }
};

}  // namespace llmsim::sim::testing
