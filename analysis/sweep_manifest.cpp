#include "analysis/sweep_manifest.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <map>

#include "analysis/csv_text.h"
#include "analysis/json_leaves.h"
#include "core/content_digest.h"
#include "core/input_error.h"

namespace llmsim::analysis {
namespace {

using Json = nlohmann::ordered_json;

const Json& field(const Json& json, const std::string& key, const std::string& file) {
  if (!json.is_object() || !json.contains(key)) throw core::InputError(file, 0, key, "missing");
  return json.at(key);
}

template <typename T>
T get(const Json& json, const std::string& key, const std::string& file) {
  if constexpr (std::is_integral_v<T>) {
    // nlohmann converts a float such as 1e300 to an integer by a cast whose overflow is
    // undefined, and truncates 1.5 to 1: integer fields take JSON integers only, in range.
    const Json& value = field(json, key, file);
    if (!value.is_number_integer()) throw core::InputError(file, 0, key, "expected an integer");
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      throw core::InputError(file, 0, key, "integer out of range");
    }
  }
  try {
    return field(json, key, file).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw core::InputError(file, 0, key, "wrong type");
  }
}

bool is_digest(const std::string& text) {
  return text.size() == 16 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string get_digest(const Json& json, const std::string& key, const std::string& file) {
  if (json.is_object() && !json.contains(key)) {
    throw core::InputError(file, 0, key, "missing: written by an llmsim older than the sweep digests (issue 22), "
                                         "or edited; run the sweep again");
  }
  std::string text = get<std::string>(json, key, file);
  if (!is_digest(text)) throw core::InputError(file, 0, key, "expected 16 hex digits, got \"" + text + "\"");
  return text;
}

}  // namespace

std::string grid_digest(const std::vector<std::string>& keys, const std::vector<SweepPoint>& points) {
  // Fields end in a unit separator and records in a record separator (bytes that key paths
  // and YAML values on a command line or in a CSV cell do not hold), so no two grids share
  // a text.
  core::ContentDigest digest;
  for (const std::string& key : keys) {
    digest.add(key);
    digest.add("\x1f");
  }
  for (const SweepPoint& point : points) {
    digest.add("\x1e");
    digest.add(std::to_string(point.index));
    digest.add("\x1f");
    for (const loader::Override& s : point.settings) {
      digest.add(s.key_path);
      digest.add("=");
      digest.add(s.value);
      digest.add("\x1f");
    }
  }
  return digest.hex();
}

std::string point_folder(std::int64_t index, std::int64_t points_total) {
  std::string digits = std::to_string(index);
  const std::size_t width = std::max<std::size_t>(4, std::to_string(std::max<std::int64_t>(0, points_total - 1)).size());
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return "points/" + digits;
}

std::string shard_file_stem(Shard shard) {
  return "sweep.shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
}

Json manifest_json(const SweepManifest& m) {
  Json out;
  out["scenario"] = m.scenario;
  out["scenario_digest"] = m.scenario_digest;
  out["set"] = m.set_overrides;
  out["keys"] = m.keys;
  out["grid_digest"] = m.grid_digest;
  out["points_total"] = m.points_total;
  if (m.shard) out["shard"] = Json{{"index", m.shard->index}, {"count", m.shard->count}};
  Json points = Json::array();
  for (std::size_t i = 0; i < m.points.size(); ++i) {
    const SweepPoint& p = m.points[i];
    Json settings = Json::object();
    for (const loader::Override& s : p.settings) settings[s.key_path] = s.value;
    Json point{{"point", p.index}, {"dir", point_folder(p.index, m.points_total)}, {"origin", p.origin},
               {"settings", std::move(settings)}};
    const PointOutcome outcome = i < m.outcomes.size() ? m.outcomes[i] : PointOutcome{};
    point["status"] = outcome.ok ? "ok" : "failed";
    if (outcome.ok) {
      point["summary_digest"] = outcome.summary_digest;
    } else {
      point["error"] = outcome.error;
    }
    points.push_back(std::move(point));
  }
  out["points"] = std::move(points);
  return out;
}

SweepManifest parse_manifest(const Json& json, const std::string& file) {
  SweepManifest m;
  m.scenario = get<std::string>(json, "scenario", file);
  m.scenario_digest = get_digest(json, "scenario_digest", file);
  m.set_overrides = get<std::vector<std::string>>(json, "set", file);
  m.keys = get<std::vector<std::string>>(json, "keys", file);
  m.grid_digest = get_digest(json, "grid_digest", file);
  m.points_total = get<std::int64_t>(json, "points_total", file);
  if (json.contains("shard")) {
    const Json& shard = json.at("shard");
    m.shard = Shard{get<std::int64_t>(shard, "index", file), get<std::int64_t>(shard, "count", file)};
  }
  const Json& points = field(json, "points", file);
  if (!points.is_array()) throw core::InputError(file, 0, "points", "expected a list");
  for (const Json& p : points) {
    SweepPoint point;
    point.index = get<std::int64_t>(p, "point", file);
    point.origin = get<std::string>(p, "origin", file);
    const Json& settings = field(p, "settings", file);
    if (!settings.is_object()) throw core::InputError(file, 0, "points.settings", "expected a mapping");
    for (auto it = settings.begin(); it != settings.end(); ++it) {
      if (!it.value().is_string()) throw core::InputError(file, 0, "points.settings." + it.key(), "expected a string");
      point.settings.push_back(loader::Override{it.key(), it.value().get<std::string>()});
    }
    if (point.index < 0 || point.index >= m.points_total) {
      throw core::InputError(file, 0, "points.point", "index " + std::to_string(point.index) + " out of range");
    }
    PointOutcome outcome;
    const std::string status = get<std::string>(p, "status", file);
    if (status == "ok") {
      outcome.summary_digest = get_digest(p, "summary_digest", file);
    } else if (status == "failed") {
      outcome.ok = false;
      outcome.error = get<std::string>(p, "error", file);
    } else {
      throw core::InputError(file, 0, "points.status", "expected ok or failed, got \"" + status + "\"");
    }
    m.points.push_back(std::move(point));
    m.outcomes.push_back(std::move(outcome));
  }
  return m;
}

std::string sweep_csv_text(const SweepManifest& manifest, const std::vector<Json>& summaries) {
  std::vector<std::string> columns;
  std::map<std::string, std::size_t> column_of;
  std::vector<std::vector<std::pair<std::string, Json>>> leaves;
  leaves.reserve(summaries.size());
  for (const Json& summary : summaries) {
    leaves.push_back(json_leaves(summary, false));
    for (const auto& [path, value] : leaves.back()) {
      if (column_of.emplace(path, columns.size()).second) columns.push_back(path);
    }
  }
  std::vector<std::string> header{"point"};
  header.insert(header.end(), manifest.keys.begin(), manifest.keys.end());
  header.emplace_back("status");
  header.emplace_back("error");
  header.insert(header.end(), columns.begin(), columns.end());
  std::string out = csv_line(header) + "\n";
  for (std::size_t i = 0; i < manifest.points.size(); ++i) {
    const SweepPoint& point = manifest.points[i];
    std::vector<std::string> row{std::to_string(point.index)};
    for (const std::string& key : manifest.keys) {
      std::string value;
      for (const loader::Override& s : point.settings) {
        if (s.key_path == key) value = s.value;
      }
      row.push_back(value);
    }
    const PointOutcome outcome = i < manifest.outcomes.size() ? manifest.outcomes[i] : PointOutcome{};
    row.emplace_back(outcome.ok ? "ok" : "failed");
    row.push_back(outcome.error);
    std::vector<std::string> cells(columns.size());
    if (i < leaves.size()) {
      for (const auto& [path, value] : leaves[i]) cells[column_of.at(path)] = scalar_text(value);
    }
    row.insert(row.end(), cells.begin(), cells.end());
    out += csv_line(row) + "\n";
  }
  return out;
}

}  // namespace llmsim::analysis
