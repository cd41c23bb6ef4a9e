#include "loader/scenario_loader.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "core/input_error.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"
#include "loader/disaggregation_sections.h"
#include "loader/pool_sections.h"
#include "loader/request_fit.h"
#include "loader/scenario_sections.h"
#include "loader/ttc_sections.h"
#include "loader/yaml_map.h"

namespace llmsim::loader {
namespace {

/// One segment of a --set key path: a key, optionally followed by a list index ("pools[1]",
/// the form messages name a list item by).
struct PathSegment {
  std::string key;
  std::optional<std::size_t> index;
};

std::optional<PathSegment> parse_segment(const std::string& text) {
  const std::size_t open = text.find('[');
  if (open == std::string::npos) {
    if (text.empty() || text.find(']') != std::string::npos) return std::nullopt;
    return PathSegment{text, std::nullopt};
  }
  if (open == 0 || text.back() != ']' || open + 2 > text.size() - 1) return std::nullopt;
  const std::string digits = text.substr(open + 1, text.size() - open - 2);
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return PathSegment{text.substr(0, open), index};
}

/// Sets `value` at `key_path` in `root`, creating mappings on the way. The path must not
/// run through a scalar; it enters a list only by an index of an item the list has
/// ("pools[1].deployment.replicas": the second pool's replicas).
void apply_override(YAML::Node& root, const Override& override_item, const std::string& file) {
  YAML::Node value = parse_yaml_text(override_item.value, "--set " + override_item.key_path);
  YAML::Node current;
  current.reset(root);
  std::string walked;
  std::stringstream segments(override_item.key_path);
  std::string text;
  std::vector<std::string> parts;
  while (std::getline(segments, text, '.')) parts.push_back(text);
  const auto fail = [&](const std::string& at, const std::string& message) {
    throw core::InputError(file + " (--set " + override_item.key_path + ")", 0, at, message);
  };
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) fail(override_item.key_path, "empty segment in key path");
    const std::optional<PathSegment> segment = parse_segment(parts[i]);
    if (!segment) fail(override_item.key_path, "expected KEY or KEY[INDEX] between the dots, got \"" + parts[i] + "\"");
    walked += (walked.empty() ? "" : ".") + segment->key;
    if (!current.IsMap() && !current.IsNull()) fail(walked, "cannot set a key inside a value that is not a mapping");
    const bool last = i + 1 == parts.size();
    if (segment->index) {
      std::string item = "[";
      item += std::to_string(*segment->index);
      item += ']';
      YAML::Node list = current[segment->key];
      if (!list.IsSequence()) fail(walked, "is not a list, so it has no item " + item);
      if (*segment->index >= list.size()) {
        fail(walked, "has " + std::to_string(list.size()) + " items, so no item " + item);
      }
      walked += item;
      if (last) {
        list[*segment->index] = value;
      } else {
        current.reset(list[*segment->index]);
      }
    } else if (last) {
      current[segment->key] = value;
    } else {
      YAML::Node child = current[segment->key];
      if (!child.IsDefined() || child.IsNull()) {
        current[segment->key] = YAML::Node(YAML::NodeType::Map);
        child = current[segment->key];
      }
      current.reset(child);
    }
  }
}

sim::Scenario convert(YAML::Node root, const std::string& file, const std::vector<Override>& overrides) {
  auto origin = std::make_shared<YamlOrigin>();
  origin->file = file;
  for (const auto& item : overrides) {
    apply_override(root, item, file);
    origin->overridden_paths.insert(item.key_path);
  }
  if (root.IsNull()) throw core::InputError(file, 1, "", "the scenario is empty");
  YamlMap map(root, origin, "");
  const std::string base_dir = std::filesystem::path(file).parent_path().string();

  sim::Scenario scenario;
  scenario.source_file = file;
  const std::int64_t seed = map.optional_int("seed", 1);
  if (seed < 0) map.fail("seed", "expected an integer >= 0, got \"" + std::to_string(seed) + "\"");
  scenario.seed = static_cast<std::uint64_t>(seed);

  const bool several_pools = map.has("pools");
  if (several_pools) {
    scenario.pools = read_pools(map, base_dir);  // each pool is checked to fit as it is read
  } else {
    scenario.pools.push_back(read_single_pool(map, base_dir));
  }
  YamlMap workload = map.required_map("workload");
  if (is_ttc_kind_name(workload.optional_string("kind", "synthetic"))) {
    scenario.workload = read_ttc_workload(workload, base_dir, scenario.pools);
    if (map.has("disaggregation")) map.fail("disaggregation", "test-time-compute workloads are not disaggregated yet");
  } else {
    scenario.workload = read_workload(workload, base_dir);
    const sim::PoolSpec& pool = scenario.pools.front();
    if (pool.model.head == core::HeadKind::reward) {
      // As read_ttc_workload refuses a reward model in the generator pool.
      map.fail(several_pools ? "pools" : "model", "model " + pool.model.id +
                                                      " is a reward model (it scores, it cannot generate): a " +
                                                      workload.optional_string("kind", "synthetic") +
                                                      " workload needs a language model");
    }
    if (map.has("disaggregation")) {
      scenario.disaggregation = read_disaggregation(map, scenario.pools);
    } else if (scenario.pools.size() > 1) {
      // A plain workload sends every request to the first pool: the others would sit idle.
      map.fail("pools", "a " + workload.optional_string("kind", "synthetic") + " workload is served by one pool, got " +
                            std::to_string(scenario.pools.size()) + " (several pools serve test-time-compute kinds)");
    }
    check_requests_fit(workload, scenario.workload, scenario.pools.front().model);
    check_trace_acceptance(scenario.workload, scenario.pools.front());
  }
  if (auto slo = map.optional_map("slo")) scenario.slo = read_slo(*slo);
  if (auto limits = map.optional_map("limits")) scenario.limits = read_limits(*limits);
  map.finish();
  if (!several_pools) check_pool_fits(map, scenario.pools.front());
  return scenario;
}

}  // namespace

Override parse_override(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw core::InputError("--set: expected key.path=value, got \"" + text + "\"");
  }
  return Override{text.substr(0, equals), text.substr(equals + 1)};
}

sim::Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides) {
  return convert(parse_yaml_file(path), path, overrides);
}

sim::Scenario load_scenario_text(const std::string& text, const std::string& file,
                                 const std::vector<Override>& overrides) {
  return convert(parse_yaml_text(text, file), file, overrides);
}

}  // namespace llmsim::loader
