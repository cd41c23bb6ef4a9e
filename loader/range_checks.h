// Representability checks (issue 22): once a section is read, what later code computes from
// the user's numbers must fit the simulator's types and clock. Each failure is an InputError
// at the key that causes it, before anything runs; none of these changes a value.
#pragma once

#include <cstdint>

#include "loader/yaml_map.h"
#include "sim/scenario.h"
#include "workloads/workload_spec.h"

namespace llmsim::loader {

/// A pool's KV blocks and slowest possible iteration must be representable:
///   - blocks per replica below kMaxReplicaKvBlocks (sim::KvBlockManager numbers blocks with int32),
///     and replicas x blocks at most kMaxPoolKvBlocks (the per-block state of every replica
///     is allocated up front);
///   - the largest iteration the engine can form (hw::StepTimeModel on the biggest batch
///     the engine limits and the KV cache allow) priced below kMaxStepS.
/// Fails at `key` of `at` (the scenario's deployment, or a pool's entry).
void check_pool_representable(const YamlMap& at, const std::string& key, const sim::PoolSpec& pool);

/// The most KV blocks sim::kv_capacity gives a replica (it clamps there: block ids are int32).
inline constexpr double kMaxReplicaKvBlocks = 2.0e9;
/// ~27 GB of per-block bookkeeping (about 25 bytes a block in sim::KvBlockManager): beyond
/// this a run would exhaust the memory of the machine it runs on rather than fail cleanly.
inline constexpr std::int64_t kMaxPoolKvBlocks = std::int64_t{1} << 30;
/// No GPU iteration takes an hour (real ones take milliseconds); an hour leaves 2.5 million
/// such iterations before the clock's horizon (core::kClockHorizonS). A hardware file that
/// prices an iteration this long has a unit wrong (bandwidth in B/s for TB/s, a latency in
/// ns for us) and would otherwise wrap the clock.
inline constexpr double kMaxStepS = 3600.0;

/// The open-loop arrivals of `num_requests` must end well inside the clock's horizon:
/// (num_requests + kTailGaps) / rate_per_s below half of it (the other half for the run to
/// drain, and for a random sum to exceed its mean); for gamma, a representable shape 1 / cv^2
/// and a tail gap kTailGaps x max(1, cv^2) / rate_per_s below half of it too. Closed loop: the think
/// time of one client's requests in a row, think_time_s x ceil(num_requests / clients),
/// likewise, and no more clients than requests (the others would send nothing).
void check_arrival_span(YamlMap& arrival, const workloads::ArrivalSpec& spec, std::int64_t num_requests);
/// One exponential gap at the far tail of the generator's uniform draws: -ln(2^-53) ~ 36.7.
inline constexpr double kTailGaps = 40.0;

/// A length distribution whose draws would all be clipped, or would overflow a double, is
/// refused: a fixed value or uniform range outside [min, max] (every request would get
/// min or max tokens, not what the file says), a normal mean or lognormal median outside
/// [min, max], and a lognormal whose largest draw, median x exp(sigma x z_max), is not a
/// finite double (z_max: the standard normal of the generator's most extreme uniform).
void check_length_representable(YamlMap& map, const workloads::LengthDistribution& length);

/// A time limit, seconds, the clock can hold (0 = no limit): below core::kClockHorizonS.
void check_time_limit(YamlMap& map, const std::string& key, double seconds);

}  // namespace llmsim::loader
