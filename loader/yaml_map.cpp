#include "loader/yaml_map.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <yaml-cpp/eventhandler.h>

#include "core/input_error.h"
#include "core/message_text.h"
#include "loader/scalar_parse.h"

namespace llmsim::loader {
namespace {

/// yaml-cpp marks are 0-based; a node built in code has line -1.
int one_based_line(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

/// A plain (unquoted) scalar: quoted text is a string even when it looks like a number.
bool is_plain_scalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() != "!"; }

/// Parser events of one document: where it starts and whether it holds anything.
class DocumentProbe : public YAML::EventHandler {
 public:
  YAML::Mark start;
  bool has_content = false;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { has_content = true; }
  void OnScalar(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    has_content = true;
  }
  void OnSequenceStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    has_content = true;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& /*mark*/, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    has_content = true;
  }
  void OnMapEnd() override {}
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
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InputError(path, 0, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_yaml_text(text.str(), path);
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
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node YamlMap::lookup(const std::string& key) {
  read_keys_.insert(key);
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
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
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
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
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
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
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
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
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
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
  if (!value.IsMap()) fail(key, "expected a mapping, got " + describe_node(value));
  return YamlMap(value, origin_, child_path(key));
}

std::optional<YamlMap> YamlMap::optional_map(const std::string& key) {
  if (!has(key)) return std::nullopt;
  return required_map(key);
}

YAML::Node YamlMap::required_node(const std::string& key) {
  const YAML::Node value = lookup(key);
  if (!value.IsDefined()) fail_here("missing required key \"" + key + "\"");
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

void YamlMap::finish() const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (read_keys_.count(key) == 0) fail(key, "unknown key");  // names --set when it came from there
  }
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
