// Loading a Scenario from YAML, with --set overrides validated like the file itself.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario.h"

namespace llmsim::loader {

/// One `--set key.path=value` override; value is parsed as YAML ("5", "true", "[1, 2]").
/// A segment may index an item of a list that is there: `pools[1].deployment.replicas`.
struct Override {
  std::string key_path;
  std::string value;
};

/// Parses "key.path=value"; throws InputError for text without '=' or with an empty path.
Override parse_override(const std::string& text);

/// Reads SCENARIO.yaml, applies the overrides in order, and converts it to a Scenario.
/// Preset ids and relative paths inside (model, hardware, trace paths) resolve against the
/// scenario file's folder first. Throws core::InputError naming file, line and key path.
sim::Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {});

/// The same, from YAML text (for tests); `file` is used in messages and as the base folder.
sim::Scenario load_scenario_text(const std::string& text, const std::string& file,
                                 const std::vector<Override>& overrides = {});

}  // namespace llmsim::loader
