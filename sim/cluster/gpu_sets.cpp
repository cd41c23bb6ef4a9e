#include "sim/cluster/gpu_sets.h"

#include <cstdio>
#include <utility>

#include "core/input_error.h"

namespace llmsim::sim {
namespace {

/// Shares may be written as decimals that do not add up exactly in binary (0.7 + 0.2 + 0.1).
constexpr double kShareTolerance = 1e-9;

/// Index of the pool named `name`, or -1.
std::int64_t find_pool(const std::vector<PoolSpec>& pools, const std::string& name) {
  for (std::size_t q = 0; q < pools.size(); ++q) {
    if (pools[q].name == name) return static_cast<std::int64_t>(q);
  }
  return -1;
}

/// The pool with GPUs of its own that pools[p] runs on (p itself when alone).
/// Precondition: colocation_error() is empty for pools[0..p].
std::size_t owner_of(const std::vector<PoolSpec>& pools, std::size_t p) {
  while (!pools[p].colocated_with.empty()) {
    const std::int64_t host = find_pool(pools, pools[p].colocated_with);
    LLMSIM_CHECK(host >= 0 && static_cast<std::size_t>(host) < p, "colocated_with names an earlier pool");
    p = static_cast<std::size_t>(host);
  }
  return p;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

std::string colocation_error(const std::vector<PoolSpec>& pools, std::size_t p) {
  const PoolSpec& pool = pools[p];
  const std::string& name = pool.colocated_with;
  if (name.empty()) return "";
  const std::int64_t found = find_pool(pools, name);
  if (found < 0) return "no pool named " + quoted(name) + " (colocated_with names an earlier pool)";
  const auto host_index = static_cast<std::size_t>(found);
  if (host_index == p) return "pool " + quoted(name) + " cannot be co-located with itself";
  if (host_index > p) {
    return "pool " + quoted(name) + " comes after pool " + quoted(pool.name) +
           ": colocated_with names an earlier pool";
  }
  const PoolSpec& host = pools[host_index];
  const std::string pair = "pool " + quoted(pool.name) + " has ";
  const std::string need = ": co-located pools run on the same GPUs";
  if (pool.hardware.id != host.hardware.id) {
    return pair + "hardware " + pool.hardware.id + " but pool " + quoted(host.name) + " " + host.hardware.id + need;
  }
  if (pool.tensor_parallel != host.tensor_parallel) {
    return pair + "tensor_parallel " + std::to_string(pool.tensor_parallel) + " but pool " + quoted(host.name) +
           " " + std::to_string(host.tensor_parallel) + need;
  }
  if (pool.gpus_per_replica() != host.gpus_per_replica()) {  // pipeline or attention-DP layouts
    return pair + std::to_string(pool.gpus_per_replica()) + " GPUs per replica but pool " + quoted(host.name) + " " +
           std::to_string(host.gpus_per_replica()) + need;
  }
  if (pool.replicas != host.replicas) {
    return pair + "replicas " + std::to_string(pool.replicas) + " but pool " + quoted(host.name) + " " +
           std::to_string(host.replicas) + need;
  }
  if (pool.attention_data_parallel > 1 || host.attention_data_parallel > 1) {
    return pair + "attention_data_parallel " + std::to_string(pool.attention_data_parallel) + " and pool " +
           quoted(host.name) + " " + std::to_string(host.attention_data_parallel) +
           ": co-located pools with attention-DP ranks (which step in lockstep) are not modelled yet";
  }
  const std::size_t owner = owner_of(pools, host_index);
  double sum = 0.0;
  std::string terms;
  for (std::size_t q = owner; q <= p; ++q) {
    if (q != owner && (pools[q].colocated_with.empty() || owner_of(pools, q) != owner)) continue;
    const double share = pools[q].engine.gpu_memory_utilization;
    sum += share;
    terms += (terms.empty() ? "" : " + ") + pools[q].name + " " + number_text(share);
  }
  if (sum > 1.0 + kShareTolerance) {
    return "the engine.gpu_memory_utilization shares of the pools on these GPUs sum to " + number_text(sum) + " (" +
           terms + "), more than 1: each co-located engine holds its weights and KV cache in its own share";
  }
  return "";
}

void check_colocation(const std::string& file, const std::vector<PoolSpec>& pools) {
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const std::string problem = colocation_error(pools, p);
    if (!problem.empty()) throw core::InputError(file, 0, "pools[" + std::to_string(p) + "].colocated_with", problem);
  }
}

bool any_colocated(const std::vector<PoolSpec>& pools) {
  for (const PoolSpec& pool : pools) {
    if (!pool.colocated_with.empty()) return true;
  }
  return false;
}

std::int64_t gpu_set_count(const std::vector<PoolSpec>& pools) {
  std::int64_t sets = 0;
  for (const PoolSpec& pool : pools) {
    if (pool.colocated_with.empty()) sets += pool.replicas;
  }
  return sets;
}

std::int64_t gpu_count(const std::vector<PoolSpec>& pools) {
  std::int64_t gpus = 0;
  for (const PoolSpec& pool : pools) {
    if (pool.colocated_with.empty()) gpus += static_cast<std::int64_t>(pool.replicas) * pool.gpus_per_replica();
  }
  return gpus;
}

GpuSets::GpuSets(const std::vector<PoolSpec>& pools) : group_of_(pools.size(), -1) {
  std::vector<std::int32_t> group_of_owner(pools.size(), -1);
  for (std::size_t p = 0; p < pools.size(); ++p) {
    if (pools[p].colocated_with.empty()) continue;
    const std::size_t owner = owner_of(pools, p);
    std::int32_t& g = group_of_owner[owner];
    if (g < 0) {
      g = static_cast<std::int32_t>(groups_.size());
      Group group;
      group.pools.push_back(static_cast<std::int32_t>(owner));
      group.sets.resize(static_cast<std::size_t>(pools[owner].replicas));
      groups_.push_back(std::move(group));
      group_of_[owner] = g;
    }
    LLMSIM_CHECK(pools[p].replicas == pools[owner].replicas, "co-located pools have the same replicas");
    groups_[static_cast<std::size_t>(g)].pools.push_back(static_cast<std::int32_t>(p));
    group_of_[p] = g;
  }
}

void GpuSets::start(std::int32_t pool, std::int32_t replica) {
  Set& s = set(pool, replica);
  LLMSIM_CHECK(s.running < 0, "one iteration at a time on a shared GPU set");
  s.running = pool;
}

void GpuSets::finish(std::int32_t pool, std::int32_t replica) {
  Set& s = set(pool, replica);
  LLMSIM_CHECK(s.running == pool, "the iteration that ends holds its GPU set");
  s.running = -1;
  s.last = pool;
}

}  // namespace llmsim::sim
