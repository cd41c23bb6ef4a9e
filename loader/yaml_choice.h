// Reading a key whose value names one of a closed set of choices (an enum), for every loader.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "loader/yaml_map.h"

namespace llmsim::loader {

/// The choice `map[key]` names; fails at the key ("expected one of a, b, got \"x\"") when it
/// names none. The key is required.
template <typename Enum, std::size_t N>
Enum required_choice(YamlMap& map, const std::string& key, const std::pair<const char*, Enum> (&choices)[N]) {
  const std::string text = map.required_string(key);
  std::string names;
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  map.fail(key, "expected one of " + names + ", got \"" + text + "\"");
}

/// required_choice, or `fallback` when the key is absent.
template <typename Enum, std::size_t N>
Enum read_choice(YamlMap& map, const std::string& key, Enum fallback, const std::pair<const char*, Enum> (&choices)[N]) {
  return map.has(key) ? required_choice(map, key, choices) : fallback;
}

}  // namespace llmsim::loader
