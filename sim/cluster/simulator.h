// Simulator: the discrete-event loop of one scenario (DESIGN.md section 4).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/cluster/event_queue.h"
#include "sim/cluster/gpu_sets.h"
#include "sim/cluster/kv_transfers.h"
#include "sim/metrics/iteration_observer.h"
#include "sim/metrics/metrics_collector.h"
#include "sim/cluster/pool.h"
#include "sim/engine/request_record.h"
#include "sim/cluster/request_source.h"
#include "sim/cluster/run_result.h"
#include "sim/cluster/session_request_source.h"
#include "sim/scenario.h"
#include "sim/engine/step_pricer.h"
#include "sim/metrics/ttc_usage_recorder.h"

namespace llmsim::sim {

class ProgramRequestSource;

/// Replacements for the production parts, for tests and experiments. Empty = production.
struct SimulatorHooks {
  /// Builds each pool's pricer; default ModelStepPricer (hw::StepTimeModel). Under attention
  /// DP the pool's DpGroups add the engine's host time (engine.host) to what it prices, so
  /// there it must price GPU time only (the default does).
  std::function<std::unique_ptr<StepPricer>(const PoolSpec&)> make_pricer;
  /// KV blocks per replica for every pool instead of kv_capacity(); 0 = kv_capacity().
  /// Under attention DP: per attention rank (the replica has DP times as many).
  std::int64_t kv_blocks_per_replica = 0;
  /// The requests; default GeneratorRequestSource over scenario.workload and seed, or for
  /// a test-time-compute workload a ProgramRequestSource (then RunResult.ttc is filled).
  std::unique_ptr<RequestSource> requests;
  /// Told of every finished iteration (time series, traces); not owned, must outlive run().
  /// With observers the run goes step by step (they see every iteration's plan).
  std::vector<IterationObserver*> observers;
  /// Reference mode: every iteration is one queue event, no replica runs ahead over a
  /// decode stretch. The summary is the same either way (tests/speed checks it).
  bool step_by_step = false;
  /// false: a finished request is folded into the summary's totals and its record reused,
  /// so memory does not grow with requests; RunResult.requests is then left empty (no
  /// requests.csv). Ignored for test-time-compute workloads, whose results need every record.
  bool keep_request_records = true;
  /// Told of every request's final record once, in arrival order: as soon as it and every
  /// request that arrived before it are finished (completed or rejected), the rest (those
  /// a run stopped early left unfinished) at the end of run(). Set, records are reused as
  /// with keep_request_records = false (RunResult.requests stays empty), so requests.csv
  /// can be streamed in bounded memory. Ignored for test-time-compute workloads.
  std::function<void(const RequestRecord&)> request_sink;
  /// Told the simulated time every kProgressEvents events, for a progress display only:
  /// it must not change anything the run computes.
  std::function<void(workloads::TimeNs now_ns)> progress;
};

/// Owns the integer-nanosecond clock, the event queue, the request source, the pools
/// (replicas, routers, RNG streams) and the metrics. Events:
///   Arrival       the pending open-loop request arrives (the source is read one ahead);
///   IterationEnd  a replica's iteration ends: apply its tokens, then replan;
///   ClientReady   a closed-loop client issues its next request.
/// Replicas that need planning are planned once every event at the current time has been
/// handled (in pool, replica order), so requests arriving at the same nanosecond share the
/// first batch. A replica being planned may run ahead over a decode stretch
/// (Replica::advance) up to the horizon: the next time anything outside it may change it
/// or look at it (the next arrival; with sources that release requests when others finish,
/// the next event of any kind), so one queue event covers a whole stretch of iterations.
/// With open-loop arrivals it also runs through iterations that complete requests (a
/// completion changes nothing a replica or the router does before the next arrival); those
/// requests are done when the run-ahead returns, in their completion order.
/// Co-located pools (sim/cluster/gpu_sets.h) take turns on their GPU sets: a replica whose GPU set
/// another engine's iteration holds is not planned; it is marked again when that iteration
/// ends (every replica of the set is), and such replicas never run ahead (one iteration per
/// IterationEnd, so the set is handed over at every iteration's end).
/// Not copyable or movable (pools keep pointers to its records and metrics).
class Simulator : private RunAheadListener {
 public:
  /// Throws core::InputError when the scenario cannot run: no pools, non-positive engine
  /// limits or replica counts, a model that does not fit on its GPUs ("model M does not
  /// fit: ..."), a colocated_with the loader would reject (colocation_error()), a step-time
  /// model or workload the hw / workloads layers reject.
  explicit Simulator(const Scenario& scenario, SimulatorHooks hooks = {});
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Runs to the end (every request finished or rejected) or to a limit. Call once.
  RunResult run();

  /// Whether run() hands every record to SimulatorHooks::request_sink (one was given and
  /// the workload is not test-time compute, whose results keep every record).
  bool streams_requests() const { return static_cast<bool>(request_sink_); }

  /// KV blocks per replica of each pool, as the constructor sized them (under attention DP,
  /// the sum over the replica's ranks).
  const std::vector<std::int64_t>& kv_blocks_per_replica() const { return kv_blocks_; }

 private:
  struct ArrivalEvent {};
  struct IterationEndEvent {
    std::int32_t pool = 0;
    std::int32_t replica = 0;  ///< under attention DP: the replica whose ranks' step ends
  };
  struct ClientReadyEvent {
    std::int64_t client = 0;
  };
  /// Disaggregation: a request's KV cache lands on the decode replica chosen for it.
  struct TransferLandedEvent {
    RequestIndex request = 0;
    std::int32_t replica = 0;  ///< the decode engine (Pool: an attention rank under DP)
  };
  /// A released request that arrives later than its release (a session's next turn after
  /// its wait): delayed_ holds it.
  struct DelayedArrivalEvent {};
  using Event = std::variant<ArrivalEvent, IterationEndEvent, ClientReadyEvent, TransferLandedEvent, DelayedArrivalEvent>;

  void pull_next_arrival();
  void on_arrival();
  void on_iteration_end(const IterationEndEvent& event);
  void on_client_ready(const ClientReadyEvent& event);
  /// Accepts the earliest request of delayed_ (whose arrival is now).
  void on_delayed_arrival();
  /// Records, checks, routes and queues one request; `client` >= 0 in closed loop.
  void accept(const workloads::RequestSpec& request, std::int64_t client);
  /// The pool a request names (RequestSpec::pool), pools[0] when it names none.
  std::int32_t choose_pool(const workloads::RequestSpec& request) const;
  // Disaggregation (sim/cluster/disaggregation.h); used only when scenario_.disaggregation is set.
  /// accept()'s part for a disaggregated scenario: checks the request against both pools
  /// and queues its prefill (or, below local_prefill_below, the whole request) on a replica.
  void accept_disaggregated(const workloads::RequestSpec& request, RequestIndex index);
  /// A replica reported the request completed: its prefill stage (then its KV is sent to a
  /// decode replica) or the request itself.
  void on_completed(RequestIndex index);
  void on_transfer_landed(const TransferLandedEvent& event);
  /// Books request `index`'s KV transfer to decode engine `to`, whose blocks for it are
  /// reserved: it lands at the booking's end.
  void start_transfer(RequestIndex index, std::int32_t to);
  /// After an iteration of decode engine `replica`: reserves blocks for the transfers
  /// waiting on it, first come first served, and starts each reserved one.
  void reserve_waiting_transfers(std::int32_t replica);
  /// summary.json's "disaggregation" section.
  nlohmann::ordered_json disaggregation_summary() const;
  /// Marks the replica of pool engine `engine` (pool.h), and with co-located pools every
  /// replica of its GPU set.
  void mark_for_planning(std::int32_t pool, std::int32_t engine);
  void plan_marked();
  void request_done(RequestIndex index);
  /// Hands request_sink_ the finished records at the head of unreported_ and frees them.
  void report_finished_records();
  /// How far a replica planned now may run ahead; `last_in_round`: no other replica is to be
  /// planned at this instant after it.
  workloads::TimeNs horizon(bool last_in_round) const;
  /// Gives the observers the view of `replica`'s iteration just applied.
  void notify_observers(const Replica& replica, std::int64_t completed_requests) const;
  /// RunAheadListener: an iteration Replica::advance() applied ahead, for the observers.
  void on_applied_ahead(const Replica& replica, std::int64_t completed_requests) override {
    notify_observers(replica, completed_requests);
  }
  /// Counts iterations that sampled no token; past limits.max_iterations_without_progress
  /// sets stall_diagnosis_, which stops the run.
  /// on_iteration_end for a pool with attention DP: the lockstep step of a replica's ranks.
  void on_lockstep_step_end(const IterationEndEvent& event);
  /// The summary's attention_data_parallel section, only when some pool has DP > 1:
  /// {pools: [{pool, ranks, kv_cache_blocks_per_rank, lockstep_steps, max_len_padded_steps
  /// (steps padded to the busiest rank), idle_rank_share (rank-steps with no batch of their
  /// own), mean_seqs_per_rank and mean_tokens_per_rank (over all rank-steps),
  /// mean_seqs_busiest_rank and mean_tokens_busiest_rank (the busiest rank of each step),
  /// rank_kv_usage_peak_max / _min (the highest and lowest rank's peak share of its own KV
  /// blocks, at step boundaries)}]} (sim/cluster/dp_group.h).
  void add_attention_dp_summary(nlohmann::ordered_json& summary) const;
  void watch_progress(const IterationEndEvent& event, const Replica& replica);

  Scenario scenario_;
  std::vector<std::int64_t> kv_blocks_;
  std::unique_ptr<RequestSource> source_;
  ProgramRequestSource* programs_ = nullptr;     ///< source_ when it runs test-time-compute programs
  SessionRequestSource* sessions_ = nullptr;     ///< source_ when it runs multi-turn sessions
  /// Released requests that arrive later, by (arrival, release order): one
  /// DelayedArrivalEvent each is queued at its arrival.
  std::map<std::pair<workloads::TimeNs, std::uint64_t>, workloads::RequestSpec> delayed_;
  std::uint64_t delayed_released_ = 0;
  std::unique_ptr<TtcUsageRecorder> ttc_usage_;     ///< observes iterations when programs_ is set
  std::vector<RequestRecord> records_;
  std::unique_ptr<MetricsCollector> metrics_;
  std::vector<Pool> pools_;
  std::unique_ptr<GpuSets> gpu_sets_;  ///< who holds each shared GPU set; null without co-location
  EventQueue<Event> queue_;
  workloads::TimeNs now_ = 0;
  std::optional<workloads::RequestSpec> pending_;  ///< the next open-loop arrival
  std::vector<std::int64_t> client_of_;            ///< closed loop: client per request index
  workloads::TimeNs think_time_ns_ = 0;
  std::vector<std::pair<std::int32_t, std::int32_t>> to_plan_;  ///< (pool, replica) to plan at this instant
  std::vector<std::vector<std::uint8_t>> marked_;
  std::vector<RequestIndex> completed_;  ///< scratch for apply_iteration
  bool ran_ = false;
  std::function<void(workloads::TimeNs)> progress_;  ///< SimulatorHooks::progress
  std::vector<IterationObserver*> observers_;
  /// Replica::advance (not step by step, and no observer reads every sequence), else
  /// plan_iteration.
  bool fast_forward_ = true;
  bool open_loop_generator_ = false;  ///< requests only arrive (nothing is released by completions)
  std::int64_t replicas_total_ = 0;
  workloads::TimeNs sim_limit_ns_ = -1;  ///< max_sim_time_s in ns; -1: none
  bool recycle_records_ = false;         ///< !keep_request_records, or a request_sink
  std::vector<RequestIndex> free_records_;  ///< records of finished requests, to reuse
  std::function<void(const RequestRecord&)> request_sink_;  ///< SimulatorHooks::request_sink
  /// With request_sink_: records not yet handed to it, in arrival order, and by record
  /// index whether request_done() was called for it.
  std::deque<RequestIndex> unreported_;
  std::vector<std::uint8_t> finished_;
  std::int64_t accepted_ = 0;               ///< requests that arrived (records_ may be reused)
  std::int64_t iterations_without_progress_ = 0;  ///< consecutive, over all replicas
  std::string stall_diagnosis_;                   ///< set when the run is stuck
  // Disaggregation, by record index: whether the request's prefill stage runs on the
  // prefill pool now, and the whole request to hand to the decode pool after it.
  std::unique_ptr<KvTransfers> transfers_;
  std::vector<std::uint8_t> prefilling_;
  std::vector<workloads::RequestSpec> handed_over_;
  std::vector<std::int32_t> prefill_replica_;  ///< by record index: the prefill engine holding its KV
  std::vector<workloads::TimeNs> prefill_done_ns_;  ///< by record index: when its prefill stage completed
  double reservation_wait_sum_ns_ = 0.0;  ///< over transfers: from prefill completion to the decode reservation
  /// By decode replica: requests whose prefill is done, waiting for that replica to reserve
  /// their KV blocks before the transfer (SGLang's decode PreallocQueue), in arrival order.
  std::vector<std::deque<RequestIndex>> awaiting_blocks_;
  std::int64_t local_prefills_ = 0;       ///< requests below local_prefill_below, served by the decode pool
  std::int64_t finished_on_prefill_ = 0;  ///< one-token requests, done when their prefill is
};

}  // namespace llmsim::sim
