// Readers for the sections of a scenario YAML (internal to loader/).
#pragma once

#include <string>

#include "loader/yaml_map.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// model, hardware, precision, deployment and engine of a plain (one-pool) scenario.
sim::PoolSpec read_single_pool(YamlMap& scenario, const std::string& base_dir);
/// The pool's engine: the preset engine.kind names (default vllm-v1) for the pool's
/// hardware and model, with the scenario's `engine` keys (`map`, absent: none) over it.
/// Precondition: pool.model and pool.hardware are loaded.
sim::EngineConfig read_engine(YamlMap* map, const sim::PoolSpec& pool, const std::string& base_dir);
/// A synthetic or trace workload (test-time-compute kinds: ttc_sections.h).
workloads::WorkloadSpec read_workload(YamlMap& workload, const std::string& base_dir);
/// workload.arrival: process and its parameters.
workloads::ArrivalSpec read_arrival(YamlMap& arrival);
workloads::LengthDistribution read_length(YamlMap& length, const std::string& base_dir);
sim::SloSpec read_slo(YamlMap& slo);
sim::RunLimits read_limits(YamlMap& limits);

/// A path as the scenario gives it, relative to the scenario's folder (base_dir) unless absolute.
std::string resolve_path(const std::string& path, const std::string& base_dir);
/// Fails at `trace`'s "path" unless `path` names a regular file. Never throws anything but
/// InputError: a name the file system refuses (too long, a loop of links, no permission) is
/// bad input, reported with the system's reason, not a std::filesystem::filesystem_error.
void check_trace_file(YamlMap& trace, const std::string& path);

/// Throws, located at deployment.tensor_parallel, when the model's weights leave no room
/// for a KV cache on the pool's GPUs.
void check_pool_fits(const YamlMap& scenario, const sim::PoolSpec& pool);
/// A trace's per-request acceptance lengths (plain_csv column acceptance_length, already read
/// into workload.trace->rows) need a speculating pool, and each lies in
/// [1, num_speculative_tokens + 1]: throws InputError(trace file, row line, acceptance_length).
void check_trace_acceptance(const workloads::WorkloadSpec& workload, const sim::PoolSpec& pool);

}  // namespace llmsim::loader
