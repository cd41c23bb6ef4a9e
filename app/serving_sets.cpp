#include "app/serving_sets.h"

#include "sim/cluster/simulator.h"

namespace llmsim::app {

nlohmann::json run_serving_scenario(const sim::PoolSpec& pool, const workloads::WorkloadSpec& workload) {
  sim::Scenario scenario;
  scenario.seed = 1;
  scenario.pools.push_back(pool);
  scenario.workload = workload;
  sim::Simulator simulator(scenario);
  return simulator.run().summary;
}

}  // namespace llmsim::app
