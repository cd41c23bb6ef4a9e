#include "sim/cluster/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

#include "core/architecture.h"
#include "core/input_error.h"
#include "sim/check.h"
#include "sim/cluster/generator_request_source.h"
#include "sim/engine/kv_capacity.h"
#include "sim/engine/model_step_pricer.h"
#include "sim/cluster/program_request_source.h"
#include "workloads/session_generator.h"
#include "sim/metrics/kv_offload_summary.h"
#include "sim/metrics/routing_summary.h"
#include "sim/metrics/summary_builder.h"
#include "sim/metrics/ttc_summary.h"

namespace llmsim::sim {
namespace {

/// The sessions of a session workload: its trace's, or generated.
std::shared_ptr<const std::vector<workloads::Session>> session_list(const workloads::SessionSpec& spec,
                                                                    std::uint64_t seed) {
  if (spec.trace_sessions != nullptr) return spec.trace_sessions;
  return std::make_shared<const std::vector<workloads::Session>>(workloads::generate_sessions(spec.synthetic, seed));
}

/// Checking the wall clock on every event would cost more than the event; every this many.
constexpr std::uint64_t kWallClockCheckEvents = 4096;
/// How often SimulatorHooks::progress is called, in events.
constexpr std::uint64_t kProgressEvents = 65536;
#ifndef NDEBUG
/// Debug builds audit a replica's KV blocks against its sequences every this many of its
/// iterations (Replica::audit is O(blocks)); release builds at the end of the run.
constexpr std::int64_t kDebugAuditIterations = 64;
#endif

workloads::TimeNs seconds_to_ns(double seconds) {
  return static_cast<workloads::TimeNs>(std::llround(seconds * 1e9));
}

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

/// The loader validates these; the simulator refuses to run without them rather than abort.
void check_pool(const std::string& file, const PoolSpec& pool) {
  const EngineConfig& e = pool.engine;
  const auto require = [&](bool ok, const char* key, const char* what) {
    if (!ok) throw core::InputError(file, 0, key, what);
  };
  require(pool.replicas >= 1, "deployment.replicas", "expected a positive integer");
  require(pool.tensor_parallel >= 1, "deployment.tensor_parallel", "expected a positive integer");
  require(e.max_num_seqs >= 1, "engine.max_num_seqs", "expected a positive integer");
  require(e.max_num_batched_tokens >= 1, "engine.max_num_batched_tokens",
          "expected a positive integer");
  require(e.block_size >= 1, "engine.block_size", "expected a positive integer");
  require(e.gpu_memory_utilization > 0.0 && e.gpu_memory_utilization <= 1.0,
          "engine.gpu_memory_utilization", "expected a number in (0, 1]");
  // Attention DP: each rank runs its own scheduler with 1/DP of the replica's limits (the
  // loader multiplies the per-rank limits by DP).
  const int dp = pool.attention_data_parallel;
  require(dp >= 1, "deployment.attention_data_parallel", "expected a positive integer");
  require(e.max_num_seqs % dp == 0, "engine.max_num_seqs", "expected a multiple of attention_data_parallel");
  require(e.max_num_batched_tokens % dp == 0, "engine.max_num_batched_tokens",
          "expected a multiple of attention_data_parallel");
  require(dp == 1 || pool.colocated_with.empty(), "deployment.colocated_with",
          "co-located pools with attention_data_parallel > 1 are not modelled yet (their ranks step in lockstep)");
}

}  // namespace

Simulator::Simulator(const Scenario& scenario, SimulatorHooks hooks) : scenario_(scenario) {
  const std::string& file = scenario_.source_file;
  if (scenario_.pools.empty()) {
    throw core::InputError(file, 0, "", "the scenario has no deployment (no pool)");
  }
  check_colocation(file, scenario_.pools);
  if (any_colocated(scenario_.pools)) gpu_sets_ = std::make_unique<GpuSets>(scenario_.pools);
  std::vector<std::unique_ptr<StepPricer>> pricers;
  std::vector<std::int64_t> slot_blocks;
  std::vector<std::int64_t> engine_blocks;
  for (const PoolSpec& pool : scenario_.pools) {
    check_pool(file, pool);
    pricers.push_back(hooks.make_pricer
                          ? hooks.make_pricer(pool)
                          : std::make_unique<ModelStepPricer>(pool.model, pool.hardware,
                                                              pool.precision, pool.parallelism(),
                                                              // Under attention DP each rank's scheduler has its
                                                              // own host time, added by its DpGroup.
                                                              pool.attention_data_parallel > 1 ? hw::HostTime{}
                                                                                               : pool.engine.host,
                                                              pool.engine.cuda_graph_padding()));
    std::int64_t blocks = hooks.kv_blocks_per_replica;
    if (blocks <= 0) {
      const KvCapacity capacity = kv_capacity(pool);
      if (capacity.blocks <= 0) {
        throw core::InputError(file, 0, "",
                               "model " + pool.model.id + " does not fit: " +
                                   describe_shortfall(pool, capacity));
      }
      blocks = capacity.blocks;
    }
    // Per engine: one attention rank's GPUs (kv_capacity is per GPU); a replica has DP of them.
    engine_blocks.push_back(blocks);
    kv_blocks_.push_back(blocks * pool.attention_data_parallel);
    slot_blocks.insert(slot_blocks.end(), static_cast<std::size_t>(pool.replicas), kv_blocks_.back());
  }
  observers_ = std::move(hooks.observers);
  if (hooks.requests) {
    source_ = std::move(hooks.requests);
  } else if (workloads::is_test_time_compute(scenario_.workload.kind)) {
    for (const PoolSpec& pool : scenario_.pools) {
      if (pool.attention_data_parallel > 1) {
        throw core::InputError(file, 0, "deployment.attention_data_parallel",
                               "test-time-compute workloads on attention-DP pools are not modelled yet");
      }
    }
    auto programs = std::make_unique<ProgramRequestSource>(scenario_);
    programs_ = programs.get();
    source_ = std::move(programs);
    std::vector<int> tensor_parallel;
    for (const PoolSpec& pool : scenario_.pools) tensor_parallel.push_back(pool.gpus_per_replica());
    ttc_usage_ = std::make_unique<TtcUsageRecorder>(std::move(tensor_parallel));
    observers_.push_back(ttc_usage_.get());
  } else if (scenario_.workload.kind == workloads::WorkloadKind::sessions) {
    LLMSIM_CHECK(scenario_.workload.sessions != nullptr, "a session workload has its session spec");
    auto sessions = std::make_unique<SessionRequestSource>(session_list(*scenario_.workload.sessions, scenario_.seed));
    sessions_ = sessions.get();
    source_ = std::move(sessions);
  } else {
    source_ = std::make_unique<GeneratorRequestSource>(scenario_.workload, scenario_.seed);
    // A disaggregated run hands requests from pool to pool at prefill completions and at
    // transfer landings, not only at arrivals: replicas run ahead to the next event only.
    open_loop_generator_ = !source_->closed_loop() && !scenario_.disaggregation;
  }
  for (const PoolSpec& pool : scenario_.pools) {
    if (source_->shares_kv_blocks() && core::Architecture(pool.model).has_chunked_attention()) {
      throw core::InputError(file, 0, "model",
                             "model " + pool.model.id +
                                 " has chunked local-attention layers: KV blocks shared between requests (prefix "
                                 "hashes, parallel samples, test-time-compute programs) are not modelled "
                                 "over chunked layers yet");
    }
    if (source_->shares_kv_blocks() && core::Architecture(pool.model).has_linear_attention()) {
      throw core::InputError(file, 0, "model",
                             "model " + pool.model.id +
                                 " has linear-attention layers: KV blocks shared between requests (prefix "
                                 "hashes, parallel samples, test-time-compute programs) are not modelled "
                                 "over their per-sequence state yet");
    }
    if (source_->shares_kv_blocks() && core::Architecture(pool.model).has_sliding_window()) {
      throw core::InputError(file, 0, "model",
                             "model " + pool.model.id +
                                 " has sliding-window layers: KV blocks shared between requests (prefix "
                                 "hashes, parallel samples, test-time-compute programs) are not modelled "
                                 "over windowed layers yet");
    }
  }
  fast_forward_ = !hooks.step_by_step &&
                  std::none_of(observers_.begin(), observers_.end(),
                               [](const IterationObserver* observer) { return observer->needs_every_sequence(); });
  progress_ = std::move(hooks.progress);
  if (programs_ == nullptr) request_sink_ = std::move(hooks.request_sink);
  recycle_records_ = programs_ == nullptr && (!hooks.keep_request_records || request_sink_);
  replicas_total_ = static_cast<std::int64_t>(slot_blocks.size());
  metrics_ = std::make_unique<MetricsCollector>(std::move(slot_blocks), scenario_.slo);
  if (scenario_.workload.kind == workloads::WorkloadKind::synthetic &&
      scenario_.workload.arrival.process == workloads::ArrivalProcess::closed_loop) {
    metrics_->keep_completions();  // for the summary's steady_state window
  }
  std::int32_t first_slot = 0;
  pools_.reserve(scenario_.pools.size());
  for (std::size_t p = 0; p < scenario_.pools.size(); ++p) {
    const PoolSpec& pool = scenario_.pools[p];
    pools_.emplace_back(pool, static_cast<std::int32_t>(p), first_slot, engine_blocks[p],
                        std::move(pricers[p]), scenario_.seed, records_, *metrics_,
                        /*track_block_ids=*/source_->shares_kv_blocks());
    marked_.emplace_back(static_cast<std::size_t>(pool.replicas), std::uint8_t{0});
    first_slot += pool.replicas;
  }
  if (scenario_.disaggregation) {
    const DisaggregationSpec& d = *scenario_.disaggregation;
    const auto pool_count = static_cast<std::int32_t>(scenario_.pools.size());
    if (d.prefill_pool < 0 || d.prefill_pool >= pool_count || d.decode_pool < 0 || d.decode_pool >= pool_count ||
        d.prefill_pool == d.decode_pool) {
      throw core::InputError(file, 0, "disaggregation", "expected two different pools of the scenario");
    }
    if (programs_ != nullptr) {
      throw core::InputError(file, 0, "disaggregation", "test-time-compute workloads are not disaggregated yet");
    }
    // A link per engine: under attention DP each rank's KV lives on its own GPUs, which
    // send or receive it over their own links.
    const auto engines = [this](std::int32_t p) {
      return static_cast<std::int32_t>(pools_[static_cast<std::size_t>(p)].replicas().size());
    };
    transfers_ = std::make_unique<KvTransfers>(d.link, engines(d.prefill_pool), engines(d.decode_pool));
    // A prefill replica keeps a finished prefill's KV until the decode side has read it.
    for (Replica& replica : pools_[static_cast<std::size_t>(d.prefill_pool)].replicas()) {
      replica.hold_kv_of_finished_requests();
    }
  }
  if (source_->closed_loop()) think_time_ns_ = seconds_to_ns(source_->think_time_s());
  const std::int64_t total = source_->total_requests();
  // Address space for every record at once: pages are faulted in only as records are
  // written, which with reused records is as many as are alive at once (an overloaded run:
  // most of them), and no growth copies the records to a larger buffer. Reused records get
  // room for at most 2^20 (~100 MB of address space): a 50M-request run that needs a few
  // hundred at once must not ask a small machine for gigabytes.
  constexpr std::int64_t kReusedRecordsRoom = std::int64_t{1} << 20;
  const std::int64_t room = recycle_records_ ? std::min(total, kReusedRecordsRoom) : total;
  if (room > 0 && room < (std::int64_t{1} << 26)) records_.reserve(static_cast<std::size_t>(room));
}

RunResult Simulator::run() {
  LLMSIM_CHECK(!ran_, "Simulator::run is called once");
  ran_ = true;
  const auto wall_start = std::chrono::steady_clock::now();
  const RunLimits& limits = scenario_.limits;
  sim_limit_ns_ = limits.max_sim_time_s > 0.0 ? seconds_to_ns(limits.max_sim_time_s) : -1;
  const workloads::TimeNs sim_limit_ns = sim_limit_ns_;

  if (source_->closed_loop()) {
    for (std::int64_t c = 0; c < source_->clients(); ++c) queue_.push(0, ClientReadyEvent{c});
  } else {
    pull_next_arrival();
  }

  std::string stopped_early;
  std::uint64_t events = 0;
  std::uint64_t progress_events = 0;
  for (;;) {
    if (!to_plan_.empty() && (queue_.empty() || queue_.next_time() > now_)) plan_marked();
    if (queue_.empty()) break;
    const workloads::TimeNs t = queue_.next_time();
    if (sim_limit_ns >= 0 && t > sim_limit_ns) {
      stopped_early = "max_sim_time_s";
      now_ = sim_limit_ns;
      break;
    }
    if (limits.max_wall_time_s > 0.0 && ++events % kWallClockCheckEvents == 0) {
      const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
      if (wall.count() > limits.max_wall_time_s) {
        stopped_early = "max_wall_time_s";
        break;
      }
    }
    LLMSIM_CHECK(t >= now_, "time never goes backward (event queue)");
    now_ = t;
    if (progress_ && ++progress_events % kProgressEvents == 0) progress_(now_);
    const Event event = queue_.pop().event;
    std::visit(Overloaded{[this](const ArrivalEvent&) { on_arrival(); },
                          [this](const IterationEndEvent& e) { on_iteration_end(e); },
                          [this](const ClientReadyEvent& e) { on_client_ready(e); },
                          [this](const TransferLandedEvent& e) { on_transfer_landed(e); },
                          [this](const DelayedArrivalEvent&) { on_delayed_arrival(); }},
               event);
    if (!stall_diagnosis_.empty()) {
      stopped_early = "no_progress";
      break;
    }
  }

  if (stopped_early.empty()) {
    LLMSIM_CHECK(!pending_.has_value(), "a finished run has no pending arrival");
    for (const RequestRecord& rec : records_) {
      LLMSIM_CHECK(rec.status != RequestStatus::unfinished,
                   "a run that was not stopped finishes or rejects every request");
    }
    for (const Pool& pool : pools_) {
      for (const Replica& replica : pool.replicas()) {
        LLMSIM_CHECK(!replica.has_work() && replica.kv().num_allocated() == 0,
                     "every KV block is free at the end of a run");
        replica.audit();
      }
    }
  } else {
    for (const Pool& pool : pools_) {
      for (const Replica& replica : pool.replicas()) {
        if (!replica.iteration_in_flight()) replica.audit();
      }
    }
  }
  if (!stopped_early.empty()) {
    for (Pool& pool : pools_) {
      for (Replica& replica : pool.replicas()) replica.sync_records();
    }
  }
  if (request_sink_) {  // the unfinished requests of a stopped run, and those after them
    for (const RequestIndex index : unreported_) request_sink_(records_[index]);
    unreported_.clear();
  }
  metrics_->finish(now_);

  RunResult result;
  const std::int64_t arrived = accepted_;
  SummaryInputs inputs{scenario_, kv_blocks_, records_, *metrics_, stopped_early, now_,
                       std::max<std::int64_t>(0, source_->total_requests() - arrived)};
  result.summary = build_summary(inputs);
  const RequestTotals& totals = metrics_->requests();
  LLMSIM_CHECK(totals.completed + totals.rejected + totals.unfinished == arrived,
               "every request that arrived is completed, rejected or unfinished (reported)");
  if (stopped_early == "no_progress") result.summary["stop_diagnosis"] = stall_diagnosis_;
  if (transfers_) result.summary["disaggregation"] = disaggregation_summary();
  std::vector<const KvOffloadTiers*> offload;
  for (const Pool& pool : pools_) {
    for (const Replica& replica : pool.replicas()) offload.push_back(replica.offload());
  }
  add_kv_offload_summary(result.summary, offload, totals.cached_tokens, totals.admitted_prompt_tokens);
  std::vector<RoutedPool> routed;
  for (std::size_t p = 0; p < pools_.size(); ++p) routed.push_back({scenario_.pools[p].name, &pools_[p].router()});
  add_routing_summary(result.summary, routed);
  add_attention_dp_summary(result.summary);
  if (sessions_ != nullptr) {
    result.summary["sessions"] = {{"sessions_completed", sessions_->sessions_completed()},
                                  {"sessions_failed", sessions_->sessions_failed()}};
  }
  if (programs_ != nullptr) {
    result.ttc = programs_->result(records_, *ttc_usage_);
    add_ttc_summary(result.summary, *result.ttc);
  }
  result.pool_names = pool_names(scenario_);
  if (!recycle_records_) result.requests = std::move(records_);
  records_.clear();
  return result;
}

void Simulator::pull_next_arrival() {
  pending_ = source_->next();
  if (!pending_) return;
  LLMSIM_CHECK(pending_->arrival_ns >= now_, "open-loop arrivals come in time order");
  queue_.push(pending_->arrival_ns, ArrivalEvent{});
}

void Simulator::on_arrival() {
  LLMSIM_CHECK(pending_.has_value(), "an arrival event has a pending request");
  const workloads::RequestSpec request = std::move(*pending_);
  pending_.reset();
  pull_next_arrival();
  accept(request, -1);
}

void Simulator::on_client_ready(const ClientReadyEvent& event) {
  std::optional<workloads::RequestSpec> request = source_->next_at(now_);
  if (!request) return;  // the workload is exhausted: this client retires
  LLMSIM_CHECK(request->arrival_ns == now_, "a closed-loop request arrives when it is issued");
  accept(*request, event.client);
}

void Simulator::on_delayed_arrival() {
  // One event per entry, at its arrival: the earliest entry arrives now (those before it
  // were taken by earlier events).
  LLMSIM_CHECK(!delayed_.empty() && delayed_.begin()->first.first == now_, "a delayed arrival is due now");
  const workloads::RequestSpec request = std::move(delayed_.begin()->second);
  delayed_.erase(delayed_.begin());
  accept(request, -1);
}

void Simulator::accept(const workloads::RequestSpec& request, std::int64_t client) {
  RequestRecord rec;
  rec.id = request.id;
  rec.arrival_ns = request.arrival_ns;
  rec.input_tokens = request.input_tokens;
  rec.output_tokens = request.total_output_tokens();
  const std::int32_t p = choose_pool(request);
  rec.pool = p;
  ++accepted_;
  RequestIndex index = records_.size();
  if (free_records_.empty()) {
    records_.push_back(rec);
    if (source_->closed_loop()) client_of_.push_back(client);
    if (request_sink_) finished_.push_back(0);
  } else {
    index = free_records_.back();
    free_records_.pop_back();
    records_[index] = rec;
    if (source_->closed_loop()) client_of_[index] = client;
    if (request_sink_) finished_[index] = 0;
  }
  if (request_sink_) unreported_.push_back(index);
  if (scenario_.disaggregation) {
    accept_disaggregated(request, index);
    return;
  }

  Pool& pool = pools_[static_cast<std::size_t>(p)];
  const RejectReason reason = pool.check(request);
  if (reason != RejectReason::none) {
    records_[index].status = RequestStatus::rejected;
    records_[index].reject_reason = reason;
    request_done(index);
    return;
  }
  const std::int32_t e = pool.route(request);
  records_[index].replica = pool.replica_of(e);
  pool.replicas()[static_cast<std::size_t>(e)].add_request(request, index);
  mark_for_planning(p, e);
}

std::int32_t Simulator::choose_pool(const workloads::RequestSpec& request) const {
  if (request.pool < 0) return 0;
  LLMSIM_CHECK(static_cast<std::size_t>(request.pool) < pools_.size(), "a request names an existing pool");
  return request.pool;
}

void Simulator::on_iteration_end(const IterationEndEvent& event) {
  if (pools_[static_cast<std::size_t>(event.pool)].ranks() > 1) {
    on_lockstep_step_end(event);
    return;
  }
  Replica& replica =
      pools_[static_cast<std::size_t>(event.pool)].replicas()[static_cast<std::size_t>(event.replica)];
  LLMSIM_CHECK(replica.plan().end_ns == now_, "an iteration ends at its planned time");
  if (gpu_sets_ && gpu_sets_->shared(event.pool)) gpu_sets_->finish(event.pool, event.replica);
  completed_.clear();
  replica.apply_iteration(completed_);
  for (const RequestIndex index : completed_) on_completed(index);
  if (scenario_.disaggregation && scenario_.disaggregation->decode_pool == event.pool) {
    reserve_waiting_transfers(event.replica);  // blocks may have freed up there
  }
  if (!observers_.empty()) notify_observers(replica, static_cast<std::int64_t>(completed_.size()));
#ifndef NDEBUG
  if (replica.plan().index % kDebugAuditIterations == 0) replica.audit();
#endif
  watch_progress(event, replica);
  mark_for_planning(event.pool, event.replica);
}

void Simulator::on_lockstep_step_end(const IterationEndEvent& event) {
  Pool& pool = pools_[static_cast<std::size_t>(event.pool)];
  DpGroup& group = pool.group(event.replica);
  std::vector<Replica>& engines = pool.replicas();
  completed_.clear();
  group.apply(engines, completed_);
  for (const RequestIndex index : completed_) on_completed(index);
  const Replica* progressed = nullptr;
  std::size_t next_completed = 0;
  for (std::size_t i = 0; i < group.stepped().size(); ++i) {
    const std::int32_t e = group.stepped()[i];
    const Replica& rank = engines[static_cast<std::size_t>(e)];
    LLMSIM_CHECK(rank.plan().end_ns == now_, "a lockstep step ends at its planned time");
    if (scenario_.disaggregation && scenario_.disaggregation->decode_pool == event.pool) reserve_waiting_transfers(e);
    if (!observers_.empty()) {
      const std::int64_t completed = group.completed_counts()[i];
      notify_observers(rank, completed);
      next_completed += static_cast<std::size_t>(completed);
    }
#ifndef NDEBUG
    if (rank.plan().index % kDebugAuditIterations == 0) rank.audit();
#endif
    if (progressed == nullptr || (progressed->plan().shape.sampled_seqs == 0 && rank.plan().shape.sampled_seqs > 0)) {
      progressed = &rank;
    }
  }
  LLMSIM_CHECK(observers_.empty() || next_completed == completed_.size(), "the ranks' completions add up");
  watch_progress(event, *progressed);
  mark_for_planning(event.pool, event.replica);
}

void Simulator::watch_progress(const IterationEndEvent& event, const Replica& replica) {
  // Iterations run ahead by Replica::advance are decode steps, which sample: only the one
  // that ends here can be without progress.
  if (replica.plan().shape.sampled_seqs > 0) {
    iterations_without_progress_ = 0;
    return;
  }
  const std::int64_t limit = scenario_.limits.max_iterations_without_progress;
  if (limit <= 0 || ++iterations_without_progress_ < limit) return;
  stall_diagnosis_ = "no token was sampled in " + std::to_string(iterations_without_progress_) +
                     " iterations in a row (limits.max_iterations_without_progress); the last ran on pool \"" +
                     scenario_.pools[static_cast<std::size_t>(event.pool)].name + "\" replica " +
                     std::to_string(event.replica) + " with " + std::to_string(replica.num_running()) +
                     " running and " + std::to_string(replica.num_waiting()) + " waiting requests, " +
                     std::to_string(replica.kv().num_allocated()) + " of " +
                     std::to_string(replica.kv().num_blocks()) + " KV blocks allocated and " +
                     std::to_string(replica.plan().preempted) + " preemptions in that iteration";
}

void Simulator::notify_observers(const Replica& replica, std::int64_t completed_requests) const {
  IterationView view;
  view.pool = replica.config().pool;
  view.replica = replica.config().index;
  view.replica_slot = replica.config().metrics_slot;
  view.dp_rank = replica.config().dp_rank;
  view.plan = &replica.plan();
  view.completed_requests = completed_requests;
  view.running_requests = replica.num_running();
  view.waiting_requests = replica.num_waiting();
  view.waiting_requests_all = metrics_->waiting_now();
  view.kv_blocks_allocated = replica.kv().num_allocated();
  view.kv_blocks_total = replica.kv().num_blocks();
  for (IterationObserver* observer : observers_) observer->on_iteration_end(view);
}

void Simulator::report_finished_records() {
  while (!unreported_.empty() && finished_[unreported_.front()] != 0) {
    const RequestIndex index = unreported_.front();
    unreported_.pop_front();
    request_sink_(records_[index]);
    free_records_.push_back(index);
  }
}

void Simulator::request_done(RequestIndex index) {
  const RequestRecord& rec = records_[index];
  LLMSIM_CHECK(rec.status != RequestStatus::completed || rec.generated_tokens == rec.output_tokens,
               "a completed request produced exactly the tokens it requested");
  metrics_->on_request_done(rec);
  // Reused by a later accept(), which (below) comes after the last read of this record.
  if (request_sink_) {
    finished_[index] = 1;
    report_finished_records();
  } else if (recycle_records_) {
    free_records_.push_back(index);
  }
  if (source_->closed_loop()) {
    queue_.push(now_ + think_time_ns_, ClientReadyEvent{client_of_[index]});
    return;
  }
  // Dependent calls released by this completion arrive now. A local list: accepting one
  // may reject it, which comes back here.
  std::vector<workloads::RequestSpec> released;
  source_->on_request_done(index, records_[index], now_, released);
  for (const workloads::RequestSpec& request : released) {
    LLMSIM_CHECK(request.arrival_ns >= now_, "a released request arrives no earlier than its release");
    if (request.arrival_ns == now_) {
      accept(request, -1);
    } else {
      delayed_.emplace(std::pair{request.arrival_ns, delayed_released_++}, request);
      queue_.push(request.arrival_ns, DelayedArrivalEvent{});
    }
  }
  if (!pending_) pull_next_arrival();  // a source of dependent work may have more now
}

void Simulator::mark_for_planning(std::int32_t pool, std::int32_t engine) {
  const std::int32_t replica = pools_[static_cast<std::size_t>(pool)].replica_of(engine);
  const auto mark = [this, replica](std::int32_t p) {
    std::uint8_t& marked = marked_[static_cast<std::size_t>(p)][static_cast<std::size_t>(replica)];
    if (marked != 0) return;
    marked = 1;
    to_plan_.emplace_back(p, replica);
  };
  if (!gpu_sets_ || !gpu_sets_->shared(pool)) {
    mark(pool);
    return;
  }
  // Every engine of the GPU set: the choice between those that want it is made when the set
  // is free (plan_marked), over all of them; the others are marked again when it frees.
  for (const std::int32_t p : gpu_sets_->group(pool)) mark(p);
}

void Simulator::plan_marked() {
  // In replica order, so that equal-time plans do not depend on which event came first.
  if (to_plan_.size() > 1) std::sort(to_plan_.begin(), to_plan_.end());
  for (std::size_t i = 0; i < to_plan_.size(); ++i) {
    const auto [p, r] = to_plan_[i];
    marked_[static_cast<std::size_t>(p)][static_cast<std::size_t>(r)] = 0;
    Pool& pool = pools_[static_cast<std::size_t>(p)];
    if (pool.ranks() > 1) {  // attention DP: the replica's ranks step together (dp_group.h)
      DpGroup& group = pool.group(r);
      if (group.in_flight(pool.replicas()) || !group.has_work(pool.replicas())) continue;
      const workloads::TimeNs end = group.plan(now_, pool.replicas());
      if (end != Replica::kNoIteration) queue_.push(end, IterationEndEvent{p, r});
      continue;
    }
    Replica& replica = pools_[static_cast<std::size_t>(p)].replicas()[static_cast<std::size_t>(r)];
    if (replica.iteration_in_flight() || !replica.has_work()) continue;
    // A co-located replica runs one iteration (horizon now): the GPU set is handed over at
    // every iteration's end.
    const bool shared = gpu_sets_ && gpu_sets_->shared(p);
    const auto wants = [this, r = r](std::int32_t q) {
      const Replica& engine = pools_[static_cast<std::size_t>(q)].replicas()[static_cast<std::size_t>(r)];
      return engine.has_work() && !engine.iteration_in_flight();
    };
    if (shared && !gpu_sets_->take(p, r, wants)) continue;  // it is marked again when the set frees
    if (!fast_forward_) {
      const workloads::TimeNs end = replica.plan_iteration(now_);
      if (end != Replica::kNoIteration) queue_.push(end, IterationEndEvent{p, r});
      continue;
    }
    // With open-loop arrivals a completion changes nothing before the horizon (the next
    // arrival): the replica may run ahead through iterations that complete requests, which
    // are then done here, in the order they completed.
    completed_.clear();
    const workloads::TimeNs end =
        replica.advance(now_, shared ? now_ : horizon(i + 1 == to_plan_.size()),
                        open_loop_generator_ ? &completed_ : nullptr, observers_.empty() ? nullptr : this);
    if (end == Replica::kNoIteration) continue;  // marked again when a transfer ends (disaggregation)
    queue_.push(end, IterationEndEvent{p, r});
    for (const RequestIndex index : completed_) on_completed(index);
  }
  to_plan_.clear();
}

void Simulator::add_attention_dp_summary(nlohmann::ordered_json& summary) const {
  // How evenly the lockstep steps filled each replica's ranks: the busiest rank sets the
  // step (dp_group.h), so mean / busiest is the share of the padded step doing real work.
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Pool& pool : pools_) {
    if (pool.ranks() <= 1) continue;
    DpBalance balance;
    for (std::int32_t r = 0; r < pool.spec().replicas; ++r) pool.group(r).add_balance(balance, r == 0);
    const auto per = [](double value, double count) { return count > 0.0 ? value / count : 0.0; };
    const auto steps = static_cast<double>(balance.steps);
    const double rank_steps = steps * pool.ranks();
    nlohmann::ordered_json j;
    j["pool"] = pool.spec().name;
    j["ranks"] = pool.ranks();
    j["kv_cache_blocks_per_rank"] = pool.kv_blocks_per_engine();
    j["lockstep_steps"] = balance.steps;
    j["max_len_padded_steps"] = balance.max_len_steps;
    j["idle_rank_share"] = per(static_cast<double>(balance.rank_steps_idle), rank_steps);
    j["mean_seqs_per_rank"] = per(static_cast<double>(balance.rank_seqs), rank_steps);
    j["mean_seqs_busiest_rank"] = per(static_cast<double>(balance.busiest_rank_seqs), steps);
    j["mean_tokens_per_rank"] = per(static_cast<double>(balance.rank_tokens), rank_steps);
    j["mean_tokens_busiest_rank"] = per(static_cast<double>(balance.busiest_rank_tokens), steps);
    j["rank_kv_usage_peak_max"] = balance.rank_kv_peak_max;
    j["rank_kv_usage_peak_min"] = balance.rank_kv_peak_min;
    list.push_back(std::move(j));
  }
  if (list.empty()) return;
  summary["attention_data_parallel"] = {{"pools", std::move(list)}};
}

workloads::TimeNs Simulator::horizon(bool last_in_round) const {
  workloads::TimeNs h = std::numeric_limits<workloads::TimeNs>::max();
  if (open_loop_generator_ && observers_.empty()) {
    // Only an arrival reaches a replica (and the router looks at every replica then);
    // other replicas' iterations change nothing here, whatever their order.
    if (pending_) h = pending_->arrival_ns;
  } else {
    // A finishing request may release others (closed-loop clients, dependent calls) that go
    // to any replica: run ahead only to the next event of any kind, and only once every
    // replica planned at this instant has its next event queued.
    // Observers see every replica's iterations in time order: the same rule.
    if (!last_in_round && replicas_total_ > 1) return now_;
    if (!queue_.empty()) h = queue_.next_time();
    if (open_loop_generator_ && pending_) h = std::min(h, pending_->arrival_ns);
  }
  if (sim_limit_ns_ >= 0) h = std::min(h, sim_limit_ns_ + 1);  // iterations past it never end
  return h;
}

}  // namespace llmsim::sim
