#include "loader/pool_sections.h"

#include <set>

#include "loader/scenario_sections.h"
#include "sim/cluster/gpu_sets.h"

namespace llmsim::loader {
namespace {

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::vector<sim::PoolSpec> read_pools(YamlMap& scenario, const std::string& base_dir) {
  for (const char* key : {"model", "hardware", "precision", "deployment", "engine"}) {
    if (scenario.has(key)) {
      scenario.fail(key, "a scenario with pools: describes each pool inside it, not at the top level");
    }
  }
  std::vector<sim::PoolSpec> pools;
  std::set<std::string> names;
  std::vector<YamlMap> items = scenario.required_map_list("pools");
  for (YamlMap& item : items) {
    const std::string name = item.required_string("name");
    if (!valid_name(name)) item.fail("name", "expected letters, digits, '_', '-' or '.', got \"" + name + "\"");
    if (!names.insert(name).second) item.fail("name", "duplicate pool name \"" + name + "\"");
    sim::PoolSpec pool = read_single_pool(item, base_dir);
    pool.name = name;
    pool.colocated_with = item.optional_string("colocated_with", "");
    item.finish();
    check_pool_fits(item, pool);
    pools.push_back(std::move(pool));
  }
  // Once every pool is read, so that a name of a later pool is told apart from an unknown one.
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const std::string problem = sim::colocation_error(pools, p);
    if (!problem.empty()) items[p].fail("colocated_with", problem);
  }
  return pools;
}

}  // namespace llmsim::loader
