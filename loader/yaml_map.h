// YamlMap: a strict, line-aware view of one YAML mapping. Internal to loader/ (the only
// folder that includes yaml-cpp). Every accessor names file, line and key path on error;
// duplicate keys are rejected on construction, unknown keys by finish().
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace llmsim::loader {

/// Where a document came from, shared by every YamlMap of that document.
struct YamlOrigin {
  std::string file;                          ///< shown in messages
  std::set<std::string> overridden_paths;    ///< key paths set by --set (reported as such)
};

/// Parses YAML text; syntax errors, and a second non-empty document, become
/// InputError(file, line, "", message). Empty text is a null node.
YAML::Node parse_yaml_text(const std::string& text, const std::string& file);
/// Reads and parses a file; a missing or unreadable file is an InputError.
YAML::Node parse_yaml_file(const std::string& path);

class YamlMap {
 public:
  /// Precondition-checked: `node` must be a mapping (else InputError at its line).
  YamlMap(const YAML::Node& node, std::shared_ptr<const YamlOrigin> origin, std::string path);

  bool has(const std::string& key) const;

  std::int64_t required_int(const std::string& key);
  std::int64_t optional_int(const std::string& key, std::int64_t fallback);
  double required_number(const std::string& key);
  double optional_number(const std::string& key, double fallback);
  std::optional<double> maybe_number(const std::string& key);
  bool required_bool(const std::string& key);
  bool optional_bool(const std::string& key, bool fallback);
  std::string required_string(const std::string& key);
  std::string optional_string(const std::string& key, const std::string& fallback);
  std::vector<std::string> optional_string_list(const std::string& key);
  YamlMap required_map(const std::string& key);
  std::optional<YamlMap> optional_map(const std::string& key);
  /// The raw node of a key, marked as read (for sequences of maps and similar).
  YAML::Node required_node(const std::string& key);
  /// A list of mappings (at least one), each viewed with the path "key[i]".
  std::vector<YamlMap> required_map_list(const std::string& key);

  /// Throws when a key was never read: "unknown key".
  void finish() const;

  /// Throws InputError located at `key` (its line) with `message`.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  /// Throws InputError located at the map itself.
  [[noreturn]] void fail_here(const std::string& message) const;

  const std::string& path() const { return path_; }
  const std::string& file() const { return origin_->file; }
  std::string child_path(const std::string& key) const;

  /// Value checks with located errors.
  std::int64_t require_positive(const std::string& key, std::int64_t value) const;
  double require_positive(const std::string& key, double value) const;
  double require_non_negative(const std::string& key, double value) const;
  double require_fraction(const std::string& key, double value) const;  ///< in (0, 1]

 private:
  YAML::Node lookup(const std::string& key);
  int line_of(const std::string& key) const;
  /// `key` is required and absent: a key of the map that was never read and lies close to
  /// it (a typo of it) is reported first, as unknown with `key` suggested; else "missing
  /// required key".
  [[noreturn]] void fail_missing(const std::string& key) const;

  YAML::Node node_;
  std::shared_ptr<const YamlOrigin> origin_;
  std::string path_;
  std::set<std::string> read_keys_;
  /// Every key a reader asked for, present or not (has() included): the valid names, for
  /// suggestions.
  mutable std::set<std::string> asked_keys_;
};

/// The name among `candidates` closest to `key` by edit distance, when close enough to be a
/// typo of it (at most a third of its length in edits, at least 1, a swap of neighbours
/// counting as one; or the name without a unit suffix of up to 3 characters, "ttft" for
/// "ttft_ms"); empty
/// otherwise. Ties go to the first in order.
std::string nearest_name(const std::string& key, const std::set<std::string>& candidates);

/// "unknown key `K`" plus " (did you mean `S`?)" when a suggestion is given.
std::string unknown_key_message(const std::string& key, const std::string& suggestion);

/// "got ..." text for a node, for messages: the scalar quoted (cut to core::kExcerptBytes),
/// or its kind.
std::string describe_node(const YAML::Node& node);

}  // namespace llmsim::loader
