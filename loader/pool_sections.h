// The `pools:` form of a scenario (internal to loader/): several named pools, each a
// model x hardware x precision x deployment x engine, e.g. a generator and a PRM.
#pragma once

#include <string>
#include <vector>

#include "loader/yaml_map.h"
#include "sim/scenario.h"

namespace llmsim::loader {

/// Reads `pools:`, a list of mappings with the keys of a plain scenario's pool (model,
/// hardware, precision, deployment, engine) plus a unique `name` (letters, digits, '_',
/// '-', '.') and an optional `colocated_with` (the name of an earlier pool whose GPUs it
/// shares; sim::colocation_error() says what is checked, located at that key). A scenario has
/// either `pools:` or the plain keys, never both. Each pool must fit on its GPUs, in its own
/// gpu_memory_utilization share (located at its deployment or model key).
std::vector<sim::PoolSpec> read_pools(YamlMap& scenario, const std::string& base_dir);

}  // namespace llmsim::loader
