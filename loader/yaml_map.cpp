#include "loader/yaml_map.h"

#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include "core/input_error.h"
#include "core/input_file.h"
#include "core/message_text.h"
#include "loader/scalar_parse.h"

namespace llmsim::loader {
namespace {

/// Deepest nesting of mappings and lists accepted in a YAML input (a scenario's deepest is
/// pools[i].engine: 3 levels).
constexpr std::size_t kMaxYamlDepth = 32;

/// yaml-cpp marks are 0-based; a node built in code has line -1.
int one_based_line(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

/// A plain (unquoted) scalar: quoted text is a string even when it looks like a number.
bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!"; }

/// Parser events of one document: where it starts, whether it holds anything, and the
/// first construct llmsim refuses (issue 22):
///   - an explicit tag (`!!str 50`, `!!float 1`, `!foo`): it changes how a scalar is typed,
///     which the strict readers (scalar_parse.h) would otherwise silently ignore or follow;
///     quoting is the one way to make a number a string;
///   - an alias (`*name`), a list or a mapping used as a mapping key: keys must be plain
///     names; and a YAML 1.1 merge key (`<<: *base`), which yaml-cpp does not merge;
///   - nesting deeper than kMaxYamlDepth: no input of llmsim nests beyond a few levels.
class DocumentProbe : public YAML::EventHandler {
 public:
  YAML::Mark start;
  bool has_content = false;
  std::optional<std::pair<YAML::Mark, std::string>> refused;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { advance(); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    has_content = true;
    if (expecting_key()) refuse(mark, "an alias (*name) cannot be a mapping key: write the key plainly");
    advance();
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                const std::string& value) override {
    has_content = true;
    check_tag(mark, tag);
    if (expecting_key() && value == "<<" && tag == "?") {
      refuse(mark, "YAML merge keys (<<) are not supported: write each key out");
    }
    advance();
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    open(mark, tag, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Level {
    bool is_map = false;
    std::size_t items = 0;  ///< nodes seen so far in it (a map's keys at even positions)
  };
  std::vector<Level> levels_;

  bool expecting_key() const { return !levels_.empty() && levels_.back().is_map && levels_.back().items % 2 == 0; }
  void advance() {
    if (!levels_.empty()) ++levels_.back().items;
  }
  void refuse(const YAML::Mark& mark, const std::string& message) {
    if (!refused) refused.emplace(mark, message);
  }
  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    // "?": untagged plain; "!": untagged but quoted (a string); "": none recorded.
    if (tag.empty() || tag == "?" || tag == "!") return;
    std::string shown = tag;
    const std::string core_prefix = "tag:yaml.org,2002:";
    if (shown.rfind(core_prefix, 0) == 0) shown = "!!" + shown.substr(core_prefix.size());
    refuse(mark, "YAML tag " + core::quoted_excerpt(shown) +
                     " is not supported: write the value plainly (quote it to make it a string)");
  }
  void open(const YAML::Mark& mark, const std::string& tag, bool is_map) {
    has_content = true;
    check_tag(mark, tag);
    if (expecting_key()) refuse(mark, "a mapping key must be a plain name, not a list or a mapping");
    advance();
    levels_.push_back(Level{is_map, 0});
    if (levels_.size() > kMaxYamlDepth) {
      refuse(mark, "nested more than " + std::to_string(kMaxYamlDepth) + " levels deep");
    }
  }
  void close() {
    if (!levels_.empty()) levels_.pop_back();
  }
};

/// YAML::Load reads the first document and silently ignores the rest of the text: a second
/// document, or text its parser cannot get past (a stray ',' at the start of a line makes it
/// return an empty document without an error). Throws InputError at the first line after
/// the first document that holds anything, even a lone "---". Not YAML::LoadAll: on such text
/// it loops, collecting empty documents until memory runs out (found by fuzz/).
void check_single_document(const std::string& text, const std::string& file) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentProbe first;
  if (!parser.HandleNextDocument(first)) return;
  if (first.refused) throw core::InputError(file, one_based_line(first.refused->first), "", first.refused->second);
  DocumentProbe second;
  if (!parser.HandleNextDocument(second)) return;
  throw core::InputError(file, one_based_line(second.start), "",
                         second.has_content ? "a second YAML document starts here: the file must hold one"
                                            : "YAML syntax error: unexpected text (nothing after the first "
                                              "document can be read from here)");
}

}  // namespace

YAML::Node parse_yaml_text(const std::string& text, const std::string& file) {
  try {
    YAML::Node root = YAML::Load(text);
    check_single_document(text, file);
    return root;
  } catch (const YAML::Exception& error) {
    throw core::InputError(file, one_based_line(error.mark), "", "YAML syntax error: " + error.msg);
  }
}

YAML::Node parse_yaml_file(const std::string& path) {
  return parse_yaml_text(core::read_input_file(path), path);
}

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsScalar()) return core::quoted_excerpt(node.Scalar());
  if (node.IsSequence()) return "a list";
  return "a mapping";
}

YamlMap::YamlMap(const YAML::Node& node, std::shared_ptr<const YamlOrigin> origin, std::string path)
    : node_(node), origin_(std::move(origin)), path_(std::move(path)) {
  if (!node_.IsMap()) {
    throw core::InputError(origin_->file, one_based_line(node_.Mark()), path_,
                           "expected a mapping, got " + describe_node(node_));
  }
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    // A copy (a Node is a handle): yaml-cpp's iterator hands out a temporary pair, so a
    // reference to it->first dangles at the end of this statement (found by fuzz/, ASan).
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      throw core::InputError(origin_->file, one_based_line(key.Mark()), path_,
                             "keys must be plain names");
    }
    if (!seen.insert(key.Scalar()).second) {
      throw core::InputError(origin_->file, one_based_line(key.Mark()), child_path(key.Scalar()),
                             "duplicate key");
    }
  }
}

std::string YamlMap::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool YamlMap::has(const std::string& key) const {
  asked_keys_.insert(key);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node YamlMap::lookup(const std::string& key) {
  read_keys_.insert(key);
  asked_keys_.insert(key);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

int YamlMap::line_of(const std::string& key) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return one_based_line(it->first.Mark());
  }
  return one_based_line(node_.Mark());
}

void YamlMap::fail(const std::string& key, const std::string& message) const {
  const std::string key_path = child_path(key);
  if (origin_->overridden_paths.count(key_path) > 0) {
    throw core::InputError(origin_->file + " (--set " + key_path + ")", 0, key_path, message);
  }
  throw core::InputError(origin_->file, line_of(key), key_path, message);
}

void YamlMap::fail_here(const std::string& message) const {
  throw core::InputError(origin_->file, one_based_line(node_.Mark()), path_, message);
}

std::int64_t YamlMap::required_int(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  if (is_plain_scalar(value)) {
    if (const auto parsed = parse_integer(value.Scalar())) return *parsed;
  }
  fail(key, "expected an integer, got " + describe_node(value));
}

std::int64_t YamlMap::optional_int(const std::string& key, std::int64_t fallback) {
  return has(key) ? required_int(key) : fallback;
}

double YamlMap::required_number(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  if (is_plain_scalar(value)) {
    if (const auto parsed = parse_number(value.Scalar())) return *parsed;
  }
  fail(key, "expected a number, got " + describe_node(value));
}

double YamlMap::optional_number(const std::string& key, double fallback) {
  return has(key) ? required_number(key) : fallback;
}

std::optional<double> YamlMap::maybe_number(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return required_number(key);
}

bool YamlMap::required_bool(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  if (is_plain_scalar(value)) {
    if (const auto parsed = parse_bool(value.Scalar())) return *parsed;
  }
  fail(key, "expected true or false, got " + describe_node(value));
}

bool YamlMap::optional_bool(const std::string& key, bool fallback) {
  return has(key) ? required_bool(key) : fallback;
}

std::string YamlMap::required_string(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  if (!value.IsScalar() || value.Scalar().empty()) {
    fail(key, "expected a string, got " + describe_node(value));
  }
  return value.Scalar();
}

std::string YamlMap::optional_string(const std::string& key, const std::string& fallback) {
  return has(key) ? required_string(key) : fallback;
}

std::vector<std::string> YamlMap::optional_string_list(const std::string& key) {
  std::vector<std::string> out;
  if (!has(key)) return out;
  const YAML::Node value = lookup(key);
  if (!value.IsSequence()) fail(key, "expected a list of strings, got " + describe_node(value));
  for (const auto& item : value) {
    if (!item.IsScalar()) fail(key, "expected a list of strings, got an item " + describe_node(item));
    out.push_back(item.Scalar());
  }
  return out;
}

YamlMap YamlMap::required_map(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  if (!value.IsMap()) fail(key, "expected a mapping, got " + describe_node(value));
  return YamlMap(value, origin_, child_path(key));
}

std::optional<YamlMap> YamlMap::optional_map(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return required_map(key);
}

YAML::Node YamlMap::required_node(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_missing(key);
  return value;
}

std::vector<YamlMap> YamlMap::required_map_list(const std::string& key) {
  const YAML::Node value = required_node(key);
  if (!value.IsSequence() || value.size() == 0) {
    fail(key, "expected a non-empty list of mappings, got " + describe_node(value));
  }
  std::vector<YamlMap> items;
  for (std::size_t i = 0; i < value.size(); ++i) {
    items.emplace_back(value[i], origin_, child_path(key) + "[" + std::to_string(i) + "]");
  }
  return items;
}

void YamlMap::fail_missing(const std::string& key) const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string present = it->first.Scalar();
    if (read_keys_.count(present) > 0) continue;
    if (nearest_name(present, {key}) == key) fail(present, unknown_key_message(present, key));
  }
  fail_here("missing required key \"" + key + "\"");
}

void YamlMap::finish() const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (read_keys_.count(key) == 0) {
      // Names --set when it came from there.
      fail(key, unknown_key_message(key, nearest_name(key, asked_keys_)));
    }
  }
}

namespace {

/// Edit distance with adjacent transpositions counted as one edit (optimal string
/// alignment): "vaule" is 1 from "value".
std::size_t typo_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string nearest_name(const std::string& key, const std::set<std::string>& candidates) {
  const std::size_t allowed = std::max<std::size_t>(1, key.size() / 3);
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& name : candidates) {
    if (name == key) continue;
    // A key without its unit suffix ("ttft" for "ttft_ms") is as close as a one-letter typo.
    const bool unit_dropped = name.size() > key.size() && name.compare(0, key.size(), key) == 0 &&
                              name[key.size()] == '_' && name.size() - key.size() <= 3;
    const std::size_t distance = unit_dropped ? 1 : typo_distance(key, name);
    if (distance < best_distance) {
      best_distance = distance;
      best = name;
    }
  }
  return best;
}

std::string unknown_key_message(const std::string& key, const std::string& suggestion) {
  if (suggestion.empty()) return "unknown key";
  return "unknown key `" + key + "` (did you mean `" + suggestion + "`?)";
}

std::int64_t YamlMap::require_positive(const std::string& key, std::int64_t value) const {
  if (value <= 0) fail(key, "expected a positive integer, got \"" + std::to_string(value) + "\"");
  return value;
}

double YamlMap::require_positive(const std::string& key, double value) const {
  if (!(value > 0.0)) fail(key, "expected a positive number, got \"" + format_number(value) + "\"");
  return value;
}

double YamlMap::require_non_negative(const std::string& key, double value) const {
  if (value < 0.0) fail(key, "expected a number >= 0, got \"" + format_number(value) + "\"");
  return value;
}

double YamlMap::require_fraction(const std::string& key, double value) const {
  if (!(value > 0.0 && value <= 1.0)) {
    fail(key, "expected a number in (0, 1], got \"" + format_number(value) + "\"");
  }
  return value;
}

}  // namespace llmsim::loader
